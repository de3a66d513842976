"""The voicing gate's zero-crossing-rate limit against the syllable estimate (docs/metrics.md, "How good is
the syllable estimate"): the frames of analyzer/adapters/voice.py recomputed with ZCR < 0.2 (the default),
0.3, 0.4 and no ZCR test, counted by count_syllables, against the references of syllables_measure.py.
usage: python eval/baseline/2026-12-01/syllables_zcr_experiment.py CACHE   (after syllables_measure.py asr/prosody)
"""
import json, sys, numpy as np, librosa
from array import array
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
CACHE = Path(sys.argv[1])
sys.argv[2:] = [str(CACHE)]
from syllables_measure import files, references
from analyzer.adapters.audio import load_audio
from analyzer.core.schema import VoiceFrames
from analyzer.metrics.voice import count_syllables
from analyzer.evaluation.syllables import text_syllables
asr = json.loads((CACHE / "asr.json").read_text()); refs = references(asr)
rules = {"zcr<0.2": 0.2, "zcr<0.3": 0.3, "zcr<0.4": 0.4, "no zcr": 9}
res = {k: [] for k in rules}; refc = []; names = []
for kind, path in files():
    y = load_audio(path).samples; hop = 320
    count = 1 + (len(y) - 1024) // hop
    rms = librosa.feature.rms(y=y, frame_length=800, hop_length=hop, center=False)[0, :count]
    level = 20*np.log10(np.maximum(rms.astype(np.float64), 1e-5))
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=800, hop_length=hop, center=False)[0, :count]
    f0 = librosa.yin(y, fmin=65, fmax=400, sr=16000, frame_length=1024, hop_length=hop, center=False)[:count]
    loud = level >= level.max() - 30; inside = (f0 > 66.3) & (f0 < 392) & np.isfinite(f0)
    for k, z in rules.items():
        pitch = np.where(loud & inside & (zcr < z), f0, 0.0)
        res[k].append(count_syllables(VoiceFrames("A", 0, 0.02, array("f", level), array("f", pitch))))
    refc.append(text_syllables(refs[path][0])); names.append((kind, Path(path).stem))
refc = np.array(refc)
for k in rules:
    e = np.array(res[k]); r = e / refc
    for sel, lab in ((slice(0, 100), "libri"), (slice(100, 103), "true")):
        print(f"{k:8s} {lab}: pooled {e[sel].sum()/refc[sel].sum():.3f} MAPE {100*np.mean(abs(r[sel]-1)):.1f} % count r {np.corrcoef(e[sel], refc[sel])[0,1]:.3f}", end="; ")
    spk = {}
    for (kind, n), ee, rr in zip(names, e, refc):
        if kind == "libri": spk.setdefault(n.split("-")[0], [0, 0]); spk[n.split("-")[0]][0] += ee; spk[n.split("-")[0]][1] += rr
    print(" ".join(f"{s}:{a/b:.2f}" for s, (a, b) in spk.items()), " true:", " ".join(f"{x:.2f}" for x in r[100:]))
pro = json.loads((CACHE / "prosody.json").read_text())
mins = np.array([pro[p]["frame_time"] / 60 for _, p in files()])
for k in rules:
    e = np.array(res[k]) / mins; rr = refc / mins
    spk_e, spk_r = [], []
    for i in range(10):
        sl = slice(10 * i, 10 * i + 10); m = mins[sl].sum()
        spk_e.append(np.array(res[k])[sl].sum() / m); spk_r.append(refc[sl].sum() / m)
    print(f"{k}: per-minute r, libri files {np.corrcoef(e[:100], rr[:100])[0,1]:.3f}, all 103 {np.corrcoef(e, rr)[0,1]:.3f}, per speaker {np.corrcoef(spk_e, spk_r)[0,1]:.3f}")
