"""Prototype: cut energy pauses out of each speaker's segments; score on cached sweep features."""
import sys, itertools
from dataclasses import replace
from pathlib import Path
import numpy as np
from analyzer.evaluation import sweep
from analyzer.core.config import DiarizationConfig
from analyzer.core.schema import SpeakerSegment
import analyzer.adapters.diarize as dz
from analyzer.adapters.audio import load_audio

HOP = 0.01
def frame_db(x, rate=16000):
    hop = int(HOP * rate); n = len(x) // hop
    e = (x[: n * hop].reshape(n, hop).astype(np.float32) ** 2).mean(1)
    return 10 * np.log10(e + 1e-10)

def trim(segs, db, mode, depth, min_pause, floor_margin):
    floor = np.percentile(db, 5)
    out = []
    for s in segs:
        a, b = int(round(s.start / HOP)), min(int(round(s.end / HOP)), len(db))
        if b - a < 3:
            out.append(s); continue
        d = db[a:b]
        level = np.percentile(d, 90)
        quiet = d < level - depth
        if mode == "floor":
            quiet &= d < floor + floor_margin
        # runs
        pieces, start, i = [], a, 0
        runs = []
        k = 0
        while k < len(quiet):
            if quiet[k]:
                j = k
                while j < len(quiet) and quiet[j]: j += 1
                if (j - k) * HOP >= min_pause or k == 0 or j == len(quiet):
                    if (j - k) * HOP >= min(min_pause, 0.1):
                        runs.append((k, j))
                k = j
            else:
                k += 1
        cur = 0
        for k, j in runs:
            if k > cur: pieces.append((cur, k))
            cur = j
        if cur < len(quiet): pieces.append((cur, len(quiet)))
        for k, j in pieces:
            st, en = (a + k) * HOP, (a + j) * HOP
            if en - st >= 0.05:
                out.append(SpeakerSegment(round(max(st, s.start), 3), round(min(en, s.end), 3), s.speaker))
    return tuple(out)

orig = dz.assemble
CUR = {}
def patched(features, cfg):
    d = orig(features, cfg)
    p = CUR.get("params")
    if p is None: return d
    db = CUR["db"]
    return replace(d, exclusive=trim(d.exclusive, db, *p))

manifests = [Path(m) for m in sys.argv[1:]]
files = sweep.load_cached(manifests, Path("/work/exp/cache"), None, Path("/work/exp/evalwork"))
dbs = {}
import analyzer.pipeline.sources as src
orig_m = src.metrics_from_segments
def patched_m(segments, config, duration=None, **kw):
    p = CUR.get("params")
    if p is not None:
        segments = trim(tuple(segments), CUR["db"], *p)
    return orig_m(segments, config, duration=duration, **kw)
src.metrics_from_segments = patched_m
for f in files:
    dbs[f.features] = frame_db(load_audio(f.entry.audio).samples)
grid = [None] + [("rel", d, mp, 0) for d in (20, 25, 30, 35) for mp in (0.15, 0.2, 0.25, 0.3)] + \
       [("floor", d, mp, fm) for d in (10, 15) for mp in (0.2, 0.25) for fm in (6, 10)]
for p in grid:
    rows = {}
    for f in files:
        CUR["params"], CUR["db"] = p, dbs[f.features]
        out = sweep.score_files([f], DiarizationConfig())
        rows.setdefault(f.manifest, []).extend(out["rows"][f.manifest])
    line = []
    for name, r in rows.items():
        s = sweep._summary(r)
        line.append(f"{name[:6]} DER {s['der']:5.1%} (m {s['missed']:4.1%} fa {s['false_alarm']:4.1%}) sh {s['share_mean']:4.1f} w {s['share_worst_mean']:4.1f} v {s['verdict_ok']}/{s['files']}")
    print(str(p).ljust(28), " | ".join(line), flush=True)
    if "--per-file" in sys.argv[0:0]: pass
