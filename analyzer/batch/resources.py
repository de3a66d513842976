"""How many workers a machine can hold: each worker keeps its own copy of the models in memory."""

from __future__ import annotations

import os

# Peak resident memory of one worker with the default models (segmentation-3.0, CAM++,
# faster-whisper tiny.en int8) analysing the 30 s samples on CPU, measured with
# `floorshare bench-batch samples/`: 1.68 GiB with 1 thread, 2.61 GiB with 2 threads
# (docs/scale-out.md). Longer recordings need more (the decoded audio alone is 230 MB per hour).
WORKER_MEMORY_BYTES = 2_560 * 1024 * 1024
MIN_THREADS_PER_WORKER = 2
RESERVED_MEMORY_BYTES = 1024 * 1024 * 1024  # left to the OS, the parent process and the database


def available_cpus() -> int:
    """CPUs this process may use (respects taskset/cgroup affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def available_memory() -> int:
    """Bytes of memory available now (psutil), without swapping."""
    import psutil

    return int(psutil.virtual_memory().available)


def default_workers(device: str = "cpu", cpus: int | None = None, memory: int | None = None) -> int:
    """A worker count that fits the machine: at least 2 CPU threads and 2.5 GiB of memory each.

    On CUDA one worker per visible GPU would be the rule; one process already keeps a GPU
    busy, so the default there is 1 (use the Ray engine to spread over several GPUs).
    """
    if device == "cuda":
        return 1
    cpus = cpus if cpus is not None else available_cpus()
    memory = memory if memory is not None else available_memory()
    by_cpu = cpus // MIN_THREADS_PER_WORKER
    by_memory = (memory - RESERVED_MEMORY_BYTES) // WORKER_MEMORY_BYTES
    return int(max(1, min(by_cpu, by_memory)))


def threads_per_worker(workers: int, cpus: int | None = None) -> int:
    """Split the CPUs evenly so workers do not oversubscribe the cores."""
    cpus = cpus if cpus is not None else available_cpus()
    return max(1, cpus // max(1, workers))
