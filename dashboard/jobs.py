"""The server's background analysis queue: one analysis at a time, the others wait.

Analyses run on one worker thread, off Streamlit's script threads, so pages stay
responsive and can poll a job's progress (a :class:`~analyzer.core.progress.RecordingHook`
fed by the pipeline). The models are loaded once, on the first job, and kept.
The queue is one object per server process (:func:`job_queue`, ``st.cache_resource``).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import streamlit as st

from analyzer.adapters.recording_date import meeting_date
from analyzer.core.config import AnalysisConfig
from analyzer.core.dates import UPLOADED
from analyzer.core.errors import AnalyzerError
from analyzer.core.progress import STAGES, RecordingHook
from dashboard.uploads import StagedUpload

log = logging.getLogger(__name__)

QUEUED, LOADING, RUNNING, SAVING = "queued", "loading models", "analysing", "saving"
DONE, FAILED = "done", "failed"
FINISHED = (DONE, FAILED)
_STEP_STATUS = {"loading": LOADING, "analysing": RUNNING, "saving": SAVING}
KEEP_FINISHED = 200  # finished jobs remembered for the pages (oldest forgotten first)


@dataclass
class Job:
    """One uploaded recording waiting for, going through, or done with analysis."""

    id: int
    upload: StagedUpload
    store: object  # the SessionStore to save into
    group: str
    title: str
    config: AnalysisConfig
    keep_audio: bool = False
    recorded_at: str | None = None  # None: the recording's own date (metadata, file name), else the upload day
    date_source: str | None = None
    status: str = QUEUED
    hook: RecordingHook = field(default_factory=RecordingHook)
    session_id: int | None = None
    already_stored: bool = False
    error: str | None = None
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def name(self) -> str:
        return self.upload.name

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def stage_fractions(self) -> list[tuple[str, float]]:
        """(stage, completion in [0, 1]) for every pipeline stage, in order."""
        out = []
        for stage in STAGES:
            completed, total = self.hook.stages.get(stage, (0.0, 0.0))
            out.append((stage, min(1.0, completed / total) if total else 0.0))
        return out


class JobQueue:
    """A FIFO of analysis jobs served by one worker thread.

    Args:
        analyzer_factory: builds the analyzer (with its models) on first use; called once.
        on_stored: called after a job stored a session (the dashboard drops its cached reads).
    """

    def __init__(self, analyzer_factory: Callable[[], object],
                 on_stored: Callable[[], None] | None = None) -> None:
        self._analyzer_factory = analyzer_factory
        self._on_stored = on_stored
        self._analyzer = None
        self._pending: queue.Queue[Job] = queue.Queue()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._analyzer_lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, upload: StagedUpload, *, store: object, group: str, title: str,
               config: AnalysisConfig, keep_audio: bool = False, recorded_at: str | None = None) -> Job:
        """Queue a staged upload; its temporary folder is removed once the job ends."""
        with self._lock:
            job = Job(id=next(self._ids), upload=upload, store=store, group=group, title=title,
                      config=config, keep_audio=keep_audio, recorded_at=recorded_at)
            self._jobs[job.id] = job
            self._forget_old_jobs()
            self._pending.put(job)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._serve, name="floorshare-analysis", daemon=True)
                self._worker.start()
        return job

    def _forget_old_jobs(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.finished]
        for job_id in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job_id]

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every job this server has seen, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def position(self, job: Job) -> int:
        """How many jobs run or wait before this one (0 when it runs or has finished)."""
        if job.status != QUEUED:
            return 0
        return sum(1 for other in self.jobs() if other.id < job.id and not other.finished)

    def wait(self, job: Job, timeout: float) -> bool:
        """Block until ``job`` finished (for tests and scripts); True when it did."""
        deadline = time.monotonic() + timeout
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        return job.finished

    def _serve(self) -> None:
        while True:
            job = self._pending.get()
            try:
                self.run(job)
            finally:
                self._pending.task_done()

    def run(self, job: Job) -> None:
        """Analyse and store one job now, recording its outcome on the job; never raises."""
        job.started_at = time.time()
        try:
            self._analyse_and_store(job)
            job.status = DONE
        except AnalyzerError as exc:
            job.error = str(exc).replace(str(job.upload.path), job.name)
            job.status = FAILED
        except Exception as exc:  # a bug must not kill the worker: show it on the job, log the trace
            log.exception("analysis of %s failed", job.name)
            job.error = (f"{job.name}: the analysis stopped on an unexpected error ({type(exc).__name__}: "
                         f"{str(exc)[:200]}); the server log has the details")
            job.status = FAILED
        finally:
            job.upload.remove()
            job.finished_at = time.time()

    def _analyse_and_store(self, job: Job) -> None:
        from analyzer.pipeline.session import StoreOptions, analyze_recording

        options = StoreOptions(group=job.group, title=job.title, keep_audio=job.keep_audio,
                               recorded_at=job.recorded_at, date_source=job.date_source)
        dating = None
        if job.recorded_at is None:  # the recording's own date (metadata, file name), else the upload day
            def dating():  # noqa: ANN202 - core.dates.MeetingDate; called only for a new session
                return meeting_date(job.upload.path, display_name=job.name, fallback_source=UPLOADED)
        outcome = analyze_recording(job.upload.path, config=job.config, analyzer=self._loaded_analyzer,
                                    store=job.store, options=options, hook=job.hook,
                                    name=job.name,  # the temporary upload path means nothing once removed
                                    load_stored=False, dating=dating,
                                    status=lambda step: setattr(job, "status", _STEP_STATUS[step]))
        if outcome.meeting_date is not None:
            job.recorded_at, job.date_source = outcome.meeting_date.when, outcome.meeting_date.source
        job.session_id = int(outcome.session_id)
        job.already_stored = outcome.already_stored
        if not outcome.already_stored and self._on_stored is not None:
            self._on_stored()

    def _loaded_analyzer(self):  # noqa: ANN202 - analyzer.pipeline.analysis.Analyzer
        with self._analyzer_lock:  # not self._lock: loading takes seconds and pages must keep polling
            if self._analyzer is None:
                self._analyzer = self._analyzer_factory()
            return self._analyzer


def load_analyzer():  # noqa: ANN201 - analyzer.pipeline.analysis.Analyzer
    """The real analyzer with the pinned models (loaded once per process), telemetry and hub access off."""
    from analyzer.pipeline.analysis import build_analyzer
    from analyzer.adapters.privacy import enforce_offline

    enforce_offline()
    return build_analyzer(AnalysisConfig())


@st.cache_resource(show_spinner=False)
def job_queue() -> JobQueue:
    """The server's one analysis queue (shared by every browser session)."""
    from dashboard.data import forget_cached_reads

    return JobQueue(analyzer_factory=load_analyzer, on_stored=forget_cached_reads)
