"""Can a short-window CAM++ embedding, matched to the cluster centroids, name the speaker better than the
diarization does inside single-speaker stretches? (cached sweep features)"""
import sys
from pathlib import Path
import numpy as np, torch
from analyzer.evaluation import sweep
from analyzer.core.config import DiarizationConfig
from analyzer.adapters.diarize import assemble, load_campplus
from analyzer.adapters.model_registry import resolve_model_path
from analyzer.adapters.audio import load_audio
from analyzer.evaluation.scoring import optimal_mapping

W = float(sys.argv[1]); manifests = [Path(m) for m in sys.argv[2:]]
cam = load_campplus(str(resolve_model_path("campplus", "embedding") / "campplus_cn_en_common.pt"))
torch.set_num_threads(2)
files = sweep.load_cached(manifests, Path("/work/exp/cache"), None, Path("/work/exp/evalwork"))
from analyzer.adapters.clustering import ChunkFeatures
def labels_at(segs, t0, t1):
    return {s.speaker for s in segs if s.start < t1 and s.end > t0}
tot = {}
for f in files:
    feat = ChunkFeatures.load(f.features)
    d = assemble(feat, DiarizationConfig())
    if not d.embeddings: continue
    names = list(d.embeddings); C = np.array([d.embeddings[n] for n in names]); C /= np.linalg.norm(C, axis=1, keepdims=True)
    mapping = optimal_mapping(f.reference, d.segments, uri=f.entry.id)
    x = load_audio(f.entry.audio).samples
    starts = np.arange(0, feat.duration - W, 0.5)
    keep = []
    for t in starts:
        r = labels_at(f.reference, t, t + W); s = labels_at(d.exclusive, t, t + W)
        if len(r) == 1 and len(s) == 1: keep.append((t, r.pop(), s.pop()))
    if not keep: continue
    wav = torch.tensor(np.stack([x[int(t*16000):int(t*16000)+int(W*16000)] for t, _, _ in keep]))[:, None]
    with torch.inference_mode():
        E = torch.cat([cam(wav[i:i+64]) for i in range(0, len(wav), 64)]).numpy()
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    sims = E @ C.T
    best = [names[i] for i in sims.argmax(1)]
    own = np.array([sims[k, names.index(s)] for k, (_, _, s) in enumerate(keep)])
    margin = sims.max(1) - own
    g = tot.setdefault(f.manifest, np.zeros(5))
    for k, (t, r, s) in enumerate(keep):
        sys_ok = mapping.get(s) == r; win_ok = mapping.get(best[k]) == r
        g += [1, sys_ok, win_ok, (not sys_ok) and win_ok and margin[k] > 0.1, sys_ok and (not win_ok) and margin[k] > 0.1]
for m, g in tot.items():
    print(f"{m}: windows {g[0]:.0f} diarization right {g[1]/g[0]:.1%} window-nearest right {g[2]/g[0]:.1%} "
          f"fixes(margin>0.1) {g[3]:.0f} breaks(margin>0.1) {g[4]:.0f}")
