"""The kernel-path matrix: the real-model figures the test bounds rest on, per CPU kernel path.

    python -m tests.kernel_paths [--paths native,avx2-onednn] [--threads 2,1] [--json out.json]

Runs ``floorshare eval`` on the pyannote sample, the bundled AMI excerpt and the monologues in a fresh
process per path (the forcing variables of :mod:`tests.kernels` must be set before the libraries
load), then prints one row per path: sample WER and DER, speakers found, AMI tst00 speakers and DER,
monologue WER. docs/accuracy.md ("Kernel paths") records its output with the machine; the bounds in
tests/integration are the worst row plus a stated margin.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.kernels import PATHS, THREAD_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = {
    "sample": ROOT / "eval" / "manifests" / "pyannote-sample.toml",
    "monologue": ROOT / "eval" / "manifests" / "monologue.toml",
}
TST00 = """name = "tst00"
[[recording]]
audio = "{root}/samples/ami/tst00.wav"
rttm = "{root}/samples/ami/tst00.rttm"
"""


def run_path(name: str, threads: int, work: Path) -> dict:
    env = {**os.environ, **PATHS[name], "PYTHONPATH": str(ROOT)}
    for key in THREAD_VARIABLES:
        env[key] = str(threads)
    config = work / f"threads{threads}.toml"
    config.write_text(f"[asr]\ncpu_threads = {threads}\n", encoding="utf-8")
    manifests = dict(MANIFESTS)
    manifests["tst00"] = work / "tst00.toml"
    manifests["tst00"].write_text(TST00.format(root=ROOT), encoding="utf-8")
    row: dict = {"path": name, "threads": threads, "env": PATHS[name]}
    probe = subprocess.run([sys.executable, "-c", "from tests.kernels import kernel_path; print(kernel_path())"],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    row["kernel_path"] = probe.stdout.strip() or probe.stderr.strip()[-500:]
    for key, manifest in manifests.items():
        out = work / f"{name}-{threads}-{key}.json"
        proc = subprocess.run([sys.executable, "-m", "analyzer", "eval", str(manifest), "--json", str(out),
                               "--device", "cpu", "--config", str(config), "--work", str(work / "eval")],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0 or not out.exists():
            row[key] = {"error": (proc.stdout + proc.stderr)[-800:]}
            continue
        data = json.loads(out.read_text(encoding="utf-8"))
        files = data["files"]
        row[key] = {"wer": data["overall"].get("wer"), "der": data["overall"].get("der"),
                    "speakers": [f.get("system_speakers") for f in files],
                    "words": [sum(f.get("word_errors", {}).get(k, 0) for k in ("substitutions", "deletions",
                                                                               "insertions"))
                              for f in files if f.get("word_errors")]}
    return row


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated: " + ", ".join(PATHS))
    parser.add_argument("--threads", default="2,1", help="comma-separated thread counts (default 2,1)")
    parser.add_argument("--json", type=Path, help="write every row here")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kernel-paths-") as tmp:
        for threads in (int(t) for t in args.threads.split(",")):
            for name in args.paths.split(","):
                if name not in PATHS:
                    parser.error(f"unknown path {name!r}; known: {', '.join(PATHS)}")
                if threads != 2 and name not in ("native", "avx2-onednn"):
                    continue  # thread count is checked on the native and the AVX2 AMD paths
                row = run_path(name, threads, Path(tmp))
                rows.append(row)
                s, t, m = row.get("sample", {}), row.get("tst00", {}), row.get("monologue", {})
                print(f"{name:12} threads {threads}: sample WER {fmt(s.get('wer'))} DER {fmt(s.get('der'))} "
                      f"speakers {s.get('speakers')} | tst00 DER {fmt(t.get('der'))} speakers {t.get('speakers')} "
                      f"| monologue WER {fmt(m.get('wer'))} | {row['kernel_path']}", flush=True)
                for key in ("sample", "tst00", "monologue"):
                    if "error" in row.get(key, {}):
                        print(f"  {key} failed: {row[key]['error']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
