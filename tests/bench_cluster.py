"""`floorshare bench batch` on a real two-node Ray cluster beside the local engines, in one run.

    python -m tests.bench_cluster [--copies 2] [--setups local:2,ray:2,cluster]

Starts the test cluster of tests/ray_cluster.py (``ray start --head`` plus a worker node joined
with ``ray start --address``, 1 CPU each, token authentication, own ports and temp folders),
builds a bench folder from the samples, runs ``floorshare bench batch DIR --ray-address HEAD
--cpus-per-worker 1 --workers 2 --setups ...`` against it with the real models (one process: the
local rows and the cluster row share the machine state), prints the table (files per hour also
as a ratio to the first setup) and stops the cluster. docs/scale-out.md records its figures.

Identical files are analysed once by a batch, so each copy of a sample gets ``k`` extra frames of
silence at its end (k = 1, 2, ...): distinct bytes, the same meeting, k / 16000 s longer.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

from tests.ray_cluster import LocalRayCluster

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DEFAULT_SETUPS = "local:2,ray:2,cluster"  # the baseline first: the local engine as `floorshare batch` runs it here


def make_bench_folder(folder: Path, files: int) -> list[Path]:
    """``files`` WAVs made from the samples in turn; copy ``k`` of a sample (k = 0, 1, ...) has ``k`` frames
    of silence appended, so every file has its own bytes (see the module's note)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for source in sorted(SAMPLES.rglob("*.wav")):
        with wave.open(str(source), "rb") as reader:
            sources.append((source.stem, reader.getparams(), reader.readframes(reader.getnframes())))
    written = []
    for number in range(files):
        stem, params, frames = sources[number % len(sources)]
        k = number // len(sources)
        target = folder / f"{stem}-{k}.wav"
        with wave.open(str(target), "wb") as writer:
            writer.setparams(params)
            writer.writeframes(frames + b"\0" * params.sampwidth * params.nchannels * k)
        written.append(target)
    return written


def run_bounded(command: list[str], env: dict[str, str], timeout: float) -> int:
    """Run the bench; past ``timeout`` interrupt it as Ctrl-C does (its workers and local Ray stop), then kill."""
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        print(f"the bench did not finish in {timeout:.0f} s: interrupting it", file=sys.stderr, flush=True)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 124
    except BaseException:  # SIGTERM (SystemExit) or Ctrl-C here: do not leave the bench running
        process.kill()
        process.wait()
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="files per sample (default 2: 4 files)")
    parser.add_argument("--setups", default=DEFAULT_SETUPS, help=f"bench setups (default {DEFAULT_SETUPS})")
    parser.add_argument("--timeout", type=float, default=900.0, help="stop the bench after this many seconds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="floorshare-bench-cluster-") as work:
        files = make_bench_folder(Path(work) / "in", max(1, args.copies) * len(list(SAMPLES.rglob("*.wav"))))
        began = time.perf_counter()
        with LocalRayCluster(head_cpus=1, worker_cpus=(1,)) as cluster:
            started = time.perf_counter() - began
            command = [sys.executable, "-m", "analyzer", "bench", "batch", str(Path(work) / "in"),
                       "--ray-address", cluster.address, "--cpus-per-worker", "1", "--workers", "2",
                       "--setups", args.setups]
            env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")} | cluster.env
            env.setdefault("PYTHONPATH", str(ROOT))
            print(f"cluster: head and 1 worker node of 1 CPU each at {cluster.address}, started in {started:.1f} s; "
                  f"{len(files)} file(s)\n$ {shlex.join(command)}", flush=True)
            code = run_bounded(command, env, args.timeout)
    print(f"whole run (cluster start, bench, teardown): {time.perf_counter() - began:.1f} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
