"""The batch report: one entry per file (path, status, error, session id, time, real-time factor)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.core.errors import StorageError

OK, SKIPPED, FAILED, PENDING = "ok", "skipped", "failed", "pending"


@dataclass
class FileReport:
    """What happened to one file of the batch.

    Attributes:
        status: ``ok`` (analysed and stored), ``skipped`` (already stored), ``failed``, or
            ``pending`` (not reached: the batch was interrupted).
        seconds: analysis time on the worker (None when not analysed in this run).
        duration: audio length in seconds.
        note: why a file was skipped or where a failure comes from.
        node: the machine that analysed it (Ray: the node's address).
        retries: why each earlier attempt was lost (a worker node died, a write failed), in order.
    """

    path: str
    status: str = PENDING
    error: str | None = None
    session_id: int | None = None
    seconds: float | None = None
    duration: float = 0.0
    worker: str | None = None
    note: str | None = None
    sha256: str | None = None
    node: str | None = None
    retries: list[str] = field(default_factory=list)
    store_seconds: float | None = None  # the single writer's time to store it (retries included)
    meeting_date: str | None = None  # "2026-03-14 (from the file name)": the date stored and its rule

    @property
    def rtf(self) -> float | None:
        """Real-time factor: analysis time / audio duration (below 1 is faster than real time)."""
        if self.seconds is None or not self.duration:
            return None
        return self.seconds / self.duration

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "error": self.error, "session_id": self.session_id,
                "seconds": _round(self.seconds), "duration_s": _round(self.duration), "rtf": _round(self.rtf),
                "worker": self.worker, "node": self.node, "note": self.note, "retries": list(self.retries),
                "store_s": _round(self.store_seconds), "meeting_date": self.meeting_date}


@dataclass
class BatchReport:
    """The whole batch: its files in order and how it ran."""

    files: list[FileReport]
    engine: str = "local"
    workers: int = 1
    config_hash: str = ""
    wall_seconds: float = 0.0
    startup_seconds: float | None = None
    interrupted: bool = False
    aborted: str | None = None  # why the batch stopped before the end (no worker could start, ...)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> bool:
        return self.count(FAILED) > 0

    @property
    def analysed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == OK and f.seconds is not None]

    def files_per_hour(self) -> float | None:
        """Files analysed per hour of wall-clock time (model loading included)."""
        done = len(self.analysed)
        return done * 3600.0 / self.wall_seconds if done and self.wall_seconds else None

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "engine": self.engine, "workers": self.workers, "config_hash": self.config_hash,
                "wall_s": _round(self.wall_seconds), "startup_s": _round(self.startup_seconds),
                "interrupted": self.interrupted, "aborted": self.aborted,
                "totals": {status: self.count(status) for status in (OK, SKIPPED, FAILED, PENDING)},
                "retried": sum(1 for f in self.files if f.retries),
                "files": [f.to_dict() for f in self.files]}


def write_report(report: BatchReport, path: Path) -> None:
    """Write the JSON report atomically.

    Raises:
        StorageError: the file cannot be written.
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"{path}: cannot write the batch report ({exc.strerror}); "
                           "choose a writable --report path") from None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
