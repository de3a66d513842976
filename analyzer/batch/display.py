"""The batch's Rich display: one overall bar with ETA, one line per worker with its file and stage."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from analyzer.batch.report import FileReport
from analyzer.batch.runner import BatchPlan
from analyzer.batch.tasks import StageUpdate

STAGE_LABELS = {"decode": "decode audio", "diarize": "who spoke when", "transcribe": "transcribe",
                "align": "words to speakers", "metrics": "balance metrics"}
# Rough share of a file's analysis time per stage (CPU, default models), used for the ETA only.
STAGE_WEIGHTS = {"decode": 0.03, "diarize": 0.5, "transcribe": 0.4, "align": 0.04, "metrics": 0.03}


class BatchProgress:
    """A :class:`~analyzer.batch.runner.BatchObserver` drawing the batch on ``console``.

    The overall bar counts seconds of audio, so long recordings weigh what they cost and
    the ETA stays honest; files in flight count by the stages they have finished.
    """

    def __init__(self, plan: BatchPlan, console: Console, enabled: bool = True) -> None:
        self.plan = plan
        self.progress = Progress(TextColumn("{task.description:<40}"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=console, transient=False, disable=not enabled)
        self.total_files = len(plan.tasks)
        self.done_files = 0
        self.done_seconds = 0.0
        self.partial: dict[str, float] = {}  # worker -> audio seconds done of its current file
        self.workers: dict[str, TaskID] = {}
        self.current: dict[str, FileReport] = {}
        self.overall = self.progress.add_task(self._overall_label(), total=max(plan.audio_seconds, 1e-9))

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def started(self, report: FileReport) -> None:
        worker = report.worker or "?"
        for other, current in list(self.current.items()):  # a retried file left its lost worker's line
            if current is report and other != worker:
                self.current.pop(other, None)
                self.partial.pop(other, None)
                if other in self.workers:
                    self.progress.update(self.workers[other], description=f"  {other} lost", completed=0.0)
        self.current[worker] = report
        self.partial[worker] = 0.0
        label = f"  {worker} {_short(report.path)} · starting"
        if worker not in self.workers:
            self.workers[worker] = self.progress.add_task(label, total=1.0)
        self.progress.update(self.workers[worker], description=label, completed=0.0, visible=True)
        self._refresh_overall()

    def stage(self, update: StageUpdate) -> None:
        report = self.current.get(update.worker)
        task = self.workers.get(update.worker)
        if report is None or task is None:
            return
        fraction = min(1.0, update.completed / update.total) if update.total else 0.0
        done = _fraction_before(update.stage) + STAGE_WEIGHTS.get(update.stage, 0.0) * fraction
        self.partial[update.worker] = done * report.duration
        label = f"  {update.worker} {_short(report.path)} · {STAGE_LABELS.get(update.stage, update.stage)}"
        self.progress.update(task, description=label, completed=fraction)
        self._refresh_overall()

    def finished(self, report: FileReport) -> None:
        worker = report.worker or "?"
        self.current.pop(worker, None)
        self.partial.pop(worker, None)
        self.done_files += 1
        self.done_seconds += report.duration
        if worker in self.workers:
            self.progress.update(self.workers[worker], description=f"  {worker} idle", completed=1.0)
        self._refresh_overall()

    def notice(self, text: str) -> None:
        """A line above the bars, shown on a terminal and in logs alike (waiting for nodes, retries)."""
        self.progress.console.print(text, highlight=False)

    def _refresh_overall(self) -> None:
        completed = self.done_seconds + sum(self.partial.values())
        self.progress.update(self.overall, completed=completed, description=self._overall_label())

    def _overall_label(self) -> str:
        return f"batch {self.done_files}/{self.total_files} files"


def _fraction_before(stage: str) -> float:
    total = 0.0
    for name, weight in STAGE_WEIGHTS.items():
        if name == stage:
            return total
        total += weight
    return total


def _short(path: str, width: int = 24) -> str:
    name = Path(path).name
    return name if len(name) <= width else name[: width - 1] + "…"
