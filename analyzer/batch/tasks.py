"""What engines receive and emit: tasks, stage updates and per-file outcomes.

Standard library only, so worker processes and Ray actors unpickle these cheaply.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from typing import Callable, Union

from analyzer.core.errors import AnalyzerError, ConfigError, ModelError, StorageError
from analyzer.core.schema import SessionResult

DEFAULT_FACTORY = "analyzer.pipeline.analysis:build_analyzer"
# Errors that are about the set-up, not about the file: never remembered as "this file fails".
SETUP_ERRORS = (ModelError, ConfigError, StorageError)
STAGE_REPORT_INTERVAL_S = 0.25


@dataclass(frozen=True, slots=True)
class BatchTask:
    """One recording to analyse; ``index`` is its position in the batch.

    ``sha256`` is the content hash the planner computed: the worker passes it on, so a
    recording is read for hashing once per batch, not again in each worker.
    """

    index: int
    path: str
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class FileStarted:
    """A worker took a file."""

    worker: str
    index: int


@dataclass(frozen=True, slots=True)
class StageUpdate:
    """A worker's progress inside the pipeline (``hook(stage, completed, total)``)."""

    worker: str
    index: int
    stage: str
    completed: float
    total: float


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """The end of one file: a result, or an error message (one line).

    Attributes:
        file_specific: the error comes from this file (bad audio, a crash while on it),
            not from the set-up (missing model, database); only those are remembered.
    """

    index: int
    worker: str
    seconds: float
    result: SessionResult | None = None
    error: str | None = None
    file_specific: bool = True
    node: str | None = None  # where it ran (Ray: the node's address), when known


@dataclass(frozen=True, slots=True)
class FileRetried:
    """A file's worker was lost (its node died, its process was killed); the file goes to another worker."""

    index: int
    worker: str
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should see while the batch waits (e.g. for an autoscaler to add nodes)."""

    text: str


Event = Union[FileStarted, StageUpdate, FileOutcome, FileRetried, Notice]
AnalyzerFactory = Callable[..., object]


def load_factory(spec: str) -> AnalyzerFactory:
    """Import ``"package.module:function"``, the function that builds an analyzer from a config.

    Raises:
        ConfigError: the module or function cannot be found.
    """
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"analyzer factory {spec!r} cannot be imported ({exc}); "
                          f"use the form package.module:function") from None


def analyze_task(analyzer, task: BatchTask, worker: str, send: Callable[[StageUpdate], None]) -> FileOutcome:
    """Analyse one file with a loaded analyzer; every failure becomes an outcome, never an exception."""
    started = time.perf_counter()
    hook = ThrottledHook(worker, task.index, send)
    try:
        result = analyzer.analyze_file(task.path, hook=hook, sha256=task.sha256)
    except AnalyzerError as exc:
        return FileOutcome(task.index, worker, time.perf_counter() - started, error=str(exc),
                           file_specific=not isinstance(exc, SETUP_ERRORS))
    except Exception as exc:  # noqa: BLE001 - one file must never stop the batch
        detail = str(exc).split("\n")[0][:200]
        return FileOutcome(task.index, worker, time.perf_counter() - started,
                           error=f"{task.path}: analysis failed unexpectedly ({type(exc).__name__}: {detail}); "
                                 "try `floorshare analyze` on this file alone and report the error")
    return FileOutcome(task.index, worker, time.perf_counter() - started, result=result)


class ThrottledHook:
    """A pipeline hook that forwards stage updates at most every 0.25 s (plus stage changes and ends)."""

    def __init__(self, worker: str, index: int, send: Callable[[StageUpdate], None]) -> None:
        self.worker, self.index, self.send = worker, index, send
        self._last_stage: str | None = None
        self._last_time = 0.0

    def __call__(self, stage: str, completed: float, total: float) -> None:
        now = time.monotonic()
        finished = total and completed >= total
        if stage == self._last_stage and not finished and now - self._last_time < STAGE_REPORT_INTERVAL_S:
            return
        self._last_stage, self._last_time = stage, now
        self.send(StageUpdate(self.worker, self.index, stage, float(completed), float(total)))
