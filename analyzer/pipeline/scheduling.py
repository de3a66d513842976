"""Running diarization and transcription side by side without oversubscribing the cores.

On a 2-core laptop the two model stages are each too small to keep both cores busy
on their own (a second thread gives far less than a second core's worth), so the
analysis transcribes in a worker thread with half the cores while diarization runs
in the calling thread with the rest; when the transcription ends, diarization takes
every core for its remaining work. The two never ask for more threads than there are
cores. CTranslate2 and torch release the GIL while they compute.

Standard library only: the adapters do the thread setting (``set_threads`` on the
diarizer is called from the diarization thread, since torch's OpenMP thread count
belongs to the thread that sets it).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Callable, TypeVar

A = TypeVar("A")
B = TypeVar("B")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, at most ``OMP_NUM_THREADS`` when set,
    as batch workers set it for their share), at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        cores = min(cores, int(os.environ.get("OMP_NUM_THREADS", "0")) or cores)
    except ValueError:
        pass
    return max(1, cores)


@dataclass(frozen=True, slots=True)
class ThreadPlan:
    """Threads per stage: the speech recogniser's fixed count (0: its own default), diarization's
    while both run, and diarization's when it runs alone."""

    overlap: bool
    asr_threads: int
    diarize_shared: int
    diarize_alone: int


def plan_threads(threads: int = 0, overlap: bool = True, device: str = "cpu") -> ThreadPlan:
    """Split ``threads`` CPU threads (0: all available cores) between the two stages.

    With one core, or on a GPU, there is nothing to split: the stages run one after the other
    (a GPU runs both models; the CPU work left is small) and each uses what it would alone.
    """
    total = threads or available_cores()
    if not overlap or total < 2 or device != "cpu":
        return ThreadPlan(False, 0 if not threads else total, total, total)
    asr = total // 2
    return ThreadPlan(True, asr, total - asr, total)


class _Cancelled(Exception):
    """Raised inside the transcription worker when diarization failed: stop early."""


def run_side_by_side(diarize: Callable[[Callable[[], None]], A], transcribe: Callable[[Callable[[], None]], B],
                     set_threads: Callable[[int], None] | None, plan: ThreadPlan) -> tuple[A, B]:
    """Run ``transcribe`` in a worker thread while ``diarize`` runs in this thread.

    Each stage gets a ``tick`` callable to call between units of work (its progress hook):
    diarization's raises its thread count to ``plan.diarize_alone`` once the transcription
    has ended; transcription's stops it early when diarization has failed. Errors of
    either stage are raised here, diarization's first.
    """
    done, failed = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}
    widened = [False]

    def transcribe_tick() -> None:
        if failed.is_set():
            raise _Cancelled

    def worker() -> None:
        try:
            outcome["transcript"] = transcribe(transcribe_tick)
        except _Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    def diarize_tick() -> None:
        if done.is_set() and not widened[0] and set_threads is not None:
            set_threads(plan.diarize_alone)
            widened[0] = True

    if set_threads is not None:
        set_threads(plan.diarize_shared)
    thread = threading.Thread(target=worker, name="floorshare-transcribe", daemon=True)
    thread.start()
    try:
        diarization = diarize(diarize_tick)
    except BaseException:
        failed.set()
        thread.join()
        raise
    finally:
        if set_threads is not None:
            set_threads(plan.diarize_alone)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return diarization, outcome["transcript"]  # type: ignore[return-value]
