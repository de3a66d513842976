"""The body of one local worker process: set threads, load the models once, analyse files until told to stop.

Kept free of heavy imports at module level so the thread settings below apply before
torch, numpy or CTranslate2 start their thread pools.
"""

from __future__ import annotations

import os
import queue
from dataclasses import dataclass

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
PARENT_CHECK_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class WorkerReady:
    """The worker loaded its models and waits for files."""

    worker: str
    seconds: float


@dataclass(frozen=True, slots=True)
class WorkerBroken:
    """The worker could not load its models (the message says why); the batch cannot go on."""

    worker: str
    error: str


def worker_main(worker: str, factory: str, config, threads: int, tasks, events) -> None:
    """Entry point of a worker process (spawned by :class:`analyzer.batch.local.LocalEngine`)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in THREAD_ENV_VARS:
        os.environ[name] = str(threads)
    _die_with_parent()
    import time

    from analyzer.batch.tasks import analyze_task, load_factory
    from analyzer.core.errors import AnalyzerError

    started = time.perf_counter()
    try:
        analyzer = load_factory(factory)(config)
    except AnalyzerError as exc:
        events.put(WorkerBroken(worker, str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the batch
        events.put(WorkerBroken(worker, f"worker {worker} could not load the models ({type(exc).__name__}: "
                                        f"{str(exc).splitlines()[0] if str(exc) else ''}); "
                                        "run `floorshare models verify`"))
        return
    events.put(WorkerReady(worker, time.perf_counter() - started))
    while (task := _next_task(tasks)) is not None:
        events.put(analyze_task(analyzer, task, worker, events.put))


def _next_task(tasks):
    """The next task, or None when told to stop or when the parent process is gone."""
    import multiprocessing

    while True:
        try:
            return tasks.get(timeout=PARENT_CHECK_INTERVAL_S)
        except queue.Empty:
            parent = multiprocessing.parent_process()
            if parent is not None and not parent.is_alive():
                return None


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the parent dies (even by SIGKILL)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # other systems: the worker notices the parent is gone between files
