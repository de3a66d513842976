"""The local engine: worker processes on this machine, each holding its own loaded models.

The parent hands one file at a time to each idle worker and receives stage updates and
outcomes on one queue. A worker that dies (killed, out of memory) fails only the file it
held; a replacement is started and the batch goes on.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Iterator

from analyzer.batch.local_worker import WorkerBroken, WorkerReady, worker_main
from analyzer.batch.tasks import DEFAULT_FACTORY, BatchTask, Event, FileOutcome, FileStarted
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ModelError

POLL_INTERVAL_S = 0.2
STOP_GRACE_S = 3.0


@dataclass
class _Slot:
    name: str
    process: multiprocessing.Process
    tasks: object
    ready: bool = False
    current: BatchTask | None = None
    started_at: float = field(default_factory=time.perf_counter)


class LocalEngine:
    """Analyse files with ``workers`` local processes.

    Args:
        config: the analysis settings every worker uses.
        workers: number of worker processes (each loads the models once).
        threads: CPU threads per worker (torch, CTranslate2, BLAS).
        factory: ``"module:function"`` that builds an analyzer from a config in the worker.
    """

    name = "local"

    def __init__(self, config: AnalysisConfig, workers: int, threads: int,
                 factory: str = DEFAULT_FACTORY) -> None:
        self.config, self.workers, self.threads, self.factory = config, max(1, workers), threads, factory
        self.startup_seconds: float | None = None
        self.peak_worker_rss = 0  # bytes: the largest resident memory one worker reached
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe with torch threads

    def run(self, tasks: list[BatchTask]) -> Iterator[Event]:
        """Yield stage updates and one :class:`FileOutcome` per task, in completion order.

        Raises:
            ModelError: the workers cannot load the models.
        """
        if not tasks:
            return
        events = self._context.Queue()
        pending = deque(tasks)
        slots: dict[str, _Slot] = {}
        begun = time.perf_counter()
        for number in range(min(self.workers, len(tasks))):
            self._start(f"w{number + 1}", events, slots)
        try:
            while pending or any(s.current for s in slots.values()):
                for event in _drain(events):
                    yield from self._handle(event, slots, begun)
                yield from self._replace_dead(events, slots)
                yield from self._assign(pending, slots)
                self._measure(slots)
        finally:
            self._stop(slots)

    def _handle(self, event, slots: dict[str, _Slot], begun: float) -> Iterator[Event]:
        if isinstance(event, WorkerReady):
            self.startup_seconds = self.startup_seconds or time.perf_counter() - begun
            slots[event.worker].ready = True
        elif isinstance(event, WorkerBroken):
            raise ModelError(event.error)
        elif isinstance(event, FileOutcome):
            slot = slots[event.worker]
            if slot.current is not None and slot.current.index == event.index:
                slot.current = None
                yield event
        else:
            yield event

    def _start(self, name: str, events, slots: dict[str, _Slot]) -> None:
        tasks = self._context.Queue()
        process = self._context.Process(target=worker_main, name=f"floorshare-batch-{name}", daemon=True,
                                        args=(name, self.factory, self.config, self.threads, tasks, events))
        process.start()
        slots[name] = _Slot(name, process, tasks)

    def _assign(self, pending: deque, slots: dict[str, _Slot]) -> Iterator[Event]:
        for slot in slots.values():
            if slot.ready and slot.current is None and pending:
                slot.current = pending.popleft()
                slot.started_at = time.perf_counter()
                slot.tasks.put(slot.current)
                yield FileStarted(slot.name, slot.current.index)

    def _replace_dead(self, events, slots: dict[str, _Slot]) -> Iterator[Event]:
        for name, slot in list(slots.items()):
            if slot.process.is_alive():
                continue
            if not slot.ready:
                raise ModelError(f"worker {name} exited with code {slot.process.exitcode} while loading the "
                                 "models; check free memory (each worker needs about 2.5 GB) or use fewer "
                                 "--workers")
            task = slot.current
            slot.current = None
            if task is not None:
                yield FileOutcome(task.index, name, time.perf_counter() - slot.started_at,
                                  error=f"{task.path}: the worker process died while analysing it "
                                        f"(exit code {slot.process.exitcode}, often out of memory); "
                                        "retry with fewer --workers or analyse it alone")
            self._start(name, events, slots)

    def _measure(self, slots: dict[str, _Slot]) -> None:
        import psutil

        for slot in slots.values():
            try:
                rss = psutil.Process(slot.process.pid).memory_info().rss
            except (psutil.Error, TypeError):
                continue
            self.peak_worker_rss = max(self.peak_worker_rss, rss)

    def _stop(self, slots: dict[str, _Slot]) -> None:
        for slot in slots.values():
            if slot.process.is_alive():
                try:
                    slot.tasks.put(None)
                except (OSError, ValueError):
                    pass
        deadline = time.monotonic() + STOP_GRACE_S
        for slot in slots.values():
            slot.process.join(max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(1.0)


def _drain(events) -> list:
    """Every event waiting now (after up to one poll interval for the first)."""
    found = []
    try:
        found.append(events.get(timeout=POLL_INTERVAL_S))
        while True:
            found.append(events.get_nowait())
    except queue.Empty:
        return found
