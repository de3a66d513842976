"""Plan a batch (skip what is stored, remember failures) and run it with one writer.

Workers (processes or Ray actors) only analyse; every result comes back here and is stored
at once, one file at a time, so an interrupted batch keeps everything that finished and a
rerun continues where it stopped.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from analyzer.adapters.recording_date import meeting_date
from analyzer.batch.discovery import Discovery
from analyzer.batch.ledger import Failure, FailureLedger
from analyzer.batch.report import FAILED, OK, PENDING, SKIPPED, BatchReport, FileReport
from analyzer.batch.tasks import BatchTask, Event, FileOutcome, FileRetried, FileStarted, Notice, StageUpdate
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AnalyzerError, StorageError
from analyzer.formats.outputs import output_folder, write_outputs
from analyzer.pipeline.session import StoreOptions, look_up, name_known_voices, store_result

EARLIER_FAILURE_NOTE = "failed in an earlier batch; --retry-failed tries it again"
# A failed write (a dropped database connection, a full disk) is tried again after these pauses;
# the result stays in memory meanwhile and each attempt is one transaction of its own.
STORE_RETRY_DELAYS_S = (1.0, 4.0)


class Engine(Protocol):
    name: str
    startup_seconds: float | None

    def run(self, tasks: list[BatchTask]): ...


class BatchObserver(Protocol):
    """What a progress display hears while the batch runs."""

    def started(self, report: FileReport) -> None: ...

    def stage(self, update: StageUpdate) -> None: ...

    def finished(self, report: FileReport) -> None: ...

    def notice(self, text: str) -> None: ...


class NullObserver:
    def started(self, report: FileReport) -> None:
        pass

    def stage(self, update: StageUpdate) -> None:
        pass

    def finished(self, report: FileReport) -> None:
        pass

    def notice(self, text: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Where and how results are kept.

    Attributes:
        group: the group sessions are stored in (None: the store's default group).
        out: also write result.json, RTTM and transcript per recording under this folder.
        force: analyse again files already stored with the same configuration (replacing them).
        retry_failed: try again files that failed in an earlier batch.
        keep_audio: copy each recording into the store (for playback in the dashboard).
        date: the meeting date of every file (``--date``, UTC ISO); None: each file's own date by the
            rules of :mod:`analyzer.core.dates` (metadata, file name, modification time).
    """

    group: str | None = None
    out: Path | None = None
    force: bool = False
    retry_failed: bool = False
    keep_audio: bool = False
    date: str | None = None


@dataclass
class BatchPlan:
    """Every file with its initial status, and the tasks left to analyse."""

    files: list[FileReport]
    tasks: list[BatchTask]
    out_dirs: dict[int, Path] = field(default_factory=dict)
    copies: dict[int, list[int]] = field(default_factory=dict)  # task index -> files with the same content

    @property
    def audio_seconds(self) -> float:
        return sum(self.files[t.index].duration for t in self.tasks)


class BatchAborted(AnalyzerError):
    """The engine stopped the batch; ``report`` says what was done before (the rest is pending)."""

    def __init__(self, report: BatchReport, error: AnalyzerError) -> None:
        super().__init__(str(error))
        self.report, self.error = report, error
        self.exit_code = error.exit_code


class BatchRunner:
    """Plans and runs batches against one store (the single writer)."""

    def __init__(self, store, ledger: FailureLedger, config: AnalysisConfig, options: BatchOptions) -> None:
        self.store, self.ledger, self.config, self.options = store, ledger, config, options
        self.config_hash = config.config_hash()

    def plan(self, discovery: Discovery) -> BatchPlan:
        """Hash each recording and decide: skip (stored), fail (unreadable, failed before) or analyse."""
        plan = BatchPlan(files=[], tasks=[])
        first_with: dict[str, int] = {}
        copies: dict[int, list[int]] = defaultdict(list)
        for index, item in enumerate(discovery.items):
            report = FileReport(str(item.path), duration=item.duration)
            plan.files.append(report)
            if item.error:
                report.status, report.error = FAILED, item.error
                continue
            try:
                found = look_up(item.path, self.config, self.store, force=self.options.force)
            except AnalyzerError as exc:
                report.status, report.error = FAILED, str(exc)
                continue
            report.sha256 = found.sha256
            if report.sha256 in first_with:
                copies[first_with[report.sha256]].append(index)
                continue
            first_with[report.sha256] = index
            if self._settled_before_run(report, found.session_id):
                continue
            plan.tasks.append(BatchTask(index, str(item.path), sha256=found.sha256))
            plan.out_dirs[index] = self._out_dir(item.relative or Path(item.path.name), report, plan)
        plan.copies = dict(copies)
        for first, others in plan.copies.items():
            self._settle_copies(plan, first, others)
        return plan

    def run(self, plan: BatchPlan, engine: Engine, observer: BatchObserver | None = None,
            workers: int = 1) -> BatchReport:
        """Run the plan's tasks on ``engine``, storing each result as it arrives.

        Ctrl-C stops the batch: finished results are already stored, the report says
        ``interrupted`` and lists the rest as pending. An engine that cannot go on (no worker
        can start, the cluster is unreachable) ends the batch the same way, with the reason in
        ``report.aborted``; the error is raised again after the report is complete, so callers
        can write it before they stop.

        Raises:
            BatchAborted: the engine stopped the batch (carries the report and the error).
        """
        observer = observer or NullObserver()
        report = BatchReport(plan.files, engine=engine.name, workers=workers, config_hash=self.config_hash)
        begun = time.perf_counter()
        events = engine.run(plan.tasks)
        failure: AnalyzerError | None = None
        try:
            for event in events:
                self._on_event(event, plan, observer)
        except KeyboardInterrupt:
            report.interrupted = True
        except AnalyzerError as exc:
            failure, report.aborted = exc, str(exc)
        finally:
            events.close()
            report.wall_seconds = time.perf_counter() - begun
            report.startup_seconds = engine.startup_seconds
        if failure is not None:
            raise BatchAborted(report, failure)
        return report

    def _on_event(self, event: Event, plan: BatchPlan, observer: BatchObserver) -> None:
        if isinstance(event, FileStarted):
            plan.files[event.index].worker = event.worker
            observer.started(plan.files[event.index])
        elif isinstance(event, StageUpdate):
            observer.stage(event)
        elif isinstance(event, FileRetried):
            plan.files[event.index].retries.append(event.reason)
            notice = getattr(observer, "notice", None)
            if notice is not None:
                notice(f"{plan.files[event.index].path}: {event.reason}; it goes to another worker")
        elif isinstance(event, Notice):
            notice = getattr(observer, "notice", None)
            if notice is not None:
                notice(event.text)
        elif isinstance(event, FileOutcome):
            if plan.files[event.index].status != PENDING:
                return  # a late duplicate (the file was retried after its worker looked lost)
            self._finish(event, plan.files[event.index], plan.out_dirs.get(event.index))
            self._settle_copies(plan, event.index, plan.copies.get(event.index, []))
            observer.finished(plan.files[event.index])

    def _settled_before_run(self, report: FileReport, stored: int | None) -> bool:
        sha, options = report.sha256 or "", self.options
        if stored is not None:
            report.status, report.session_id, report.note = SKIPPED, stored, "already stored"
            return True
        earlier = self.ledger.get(sha, self.config_hash)
        if earlier is not None and not options.retry_failed:
            report.status, report.error, report.note = FAILED, earlier.error, EARLIER_FAILURE_NOTE
            return True
        return False

    def _finish(self, outcome: FileOutcome, report: FileReport, out_dir: Path | None) -> None:
        report.seconds, report.worker = outcome.seconds, outcome.worker
        report.node = outcome.node or report.node
        sha = report.sha256 or ""
        if outcome.result is None:
            report.status, report.error = FAILED, outcome.error
            if outcome.file_specific:
                self.ledger.record(sha, self.config_hash, Failure(report.path, outcome.error or "failed"))
            return
        try:
            when = meeting_date(report.path, self.options.date)
            report.meeting_date = when.describe()
            result = name_known_voices(self.store, outcome.result, self.options.group)
            began = time.perf_counter()
            report.session_id = self._store_retrying(result, report, when)
            report.store_seconds = time.perf_counter() - began
            if self.options.out is not None and out_dir is not None:
                write_outputs(result, out_dir)
            self.ledger.forget(sha, self.config_hash)
        except AnalyzerError as exc:
            report.status, report.error = FAILED, str(exc)
            return
        report.status = OK

    def _store_retrying(self, result, report: FileReport, when) -> int:  # noqa: ANN001 - core.dates.MeetingDate
        """Store one result; a failed write (its transaction rolled back) is tried again, then reported."""
        for delay in (*STORE_RETRY_DELAYS_S, None):
            try:
                return self._store(result, Path(report.path).stem, when)
            except StorageError as exc:
                if delay is None:
                    raise
                report.retries.append(f"storing failed ({exc}); tried again after {delay:g} s")
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _store(self, result, title: str, when) -> int:  # noqa: ANN001 - core.dates.MeetingDate
        options = StoreOptions(group=self.options.group, title=title, keep_audio=self.options.keep_audio,
                               recorded_at=when.when, date_source=when.source, replace_stale=self.options.force)
        return store_result(self.store, result, options, config_hash=self.config_hash)

    def _out_dir(self, relative: Path, report: FileReport, plan: BatchPlan) -> Path:
        """Mirror the input tree under --out; a clash (same relative path twice) gets the hash too."""
        base = (self.options.out or Path(".")) / relative.parent
        taken = {output_folder(d, plan.files[i].path) for i, d in plan.out_dirs.items()}
        if output_folder(base, report.path) in taken:
            base = base / (report.sha256 or "")[:12]
        return base

    @staticmethod
    def _settle_copies(plan: BatchPlan, first: int, others: list[int]) -> None:
        """Files with the same content as ``first`` share its outcome instead of being analysed twice."""
        source = plan.files[first]
        if source.status not in (OK, SKIPPED, FAILED):
            return
        for index in others:
            copy = plan.files[index]
            copy.status = FAILED if source.status == FAILED else SKIPPED
            copy.session_id, copy.error = source.session_id, source.error
            copy.note = f"same content as {source.path}"
