"""Cosine of each active local speaker's embedding to the per-chunk one, from two sweep caches."""
import json, sys, numpy as np
from pathlib import Path
ref, other = Path(sys.argv[1]), Path(sys.argv[2])
ri, oi = json.loads((ref / "index.json").read_text()), json.loads((other / "index.json").read_text())
groups = {}
for key in sorted(k for k in ri if "#" not in k):
    if key not in oi: continue
    a, b = np.load(ref / ri[key]), np.load(other / oi[key])
    seg = a["segmentations"]  # (chunks, frames, speakers)
    active = seg.sum(1) > 0
    clean = seg.sum(1) >= 0.2 * seg.shape[1]
    ea, eb = a["embeddings"], b["embeddings"]
    c = (ea * eb).sum(-1) / (np.linalg.norm(ea, axis=-1) * np.linalg.norm(eb, axis=-1) + 1e-12)
    g = groups.setdefault(key.split("/")[0], {"all": [], "clean": []})
    ok = np.isfinite(c); g["all"].append(c[active & ok]); g["clean"].append(c[clean & ok])
for name, g in groups.items():
    al, cl = np.concatenate(g["all"]), np.concatenate(g["clean"])
    print(f"{name:16s} n={len(al):5d} all mean {al.mean():.3f} p1 {np.percentile(al,1):.3f} min {al.min():.3f} | clustered n={len(cl)} mean {cl.mean():.3f} p1 {np.percentile(cl,1):.3f} min {cl.min():.3f}")
