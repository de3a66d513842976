"""``floorshare bench``: where the time goes, and how it compares with faster-whisper alone.

For each recording: model load time (once per process), time per stage (decode,
diarization, transcription, alignment + metrics) from the pipeline's progress hook,
total, real-time factor (processing seconds per audio second), resident memory (the
process's peak so far and the peak sampled during this run, :mod:`analyzer.evaluation.rss`),
then faster-whisper alone (decode + transcription with the same loaded model and
settings) on the same audio in the same process, and our total as a ratio to it:
a machine-independent figure. Comparing configurations in one process:
:mod:`analyzer.evaluation.bench_compare`.
"""

from __future__ import annotations

import os
import platform
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.evaluation.rss import RssSampler, peak_rss_mib

Clock = Callable[[], float]

STAGE_GROUPS = (("decode", ("decode",)), ("diarization", ("diarize",)), ("prosody", ("prosody",)),
                ("transcription", ("transcribe",)),
                ("alignment+metrics", ("align", "metrics")))


@dataclass(frozen=True)
class BenchResult:
    """Timings of one recording (seconds)."""

    file: str
    audio_s: float
    model_load_s: float
    stages: dict[str, float]
    total_s: float
    peak_rss_mib: float  # the process's peak so far (getrusage: only grows within a process)
    whisper_alone_s: float
    cpu_s: float = 0.0  # user + system CPU seconds of the analysis (all threads)
    whisper_cpu_s: float = 0.0
    overlapped: bool = False  # transcription ran side by side with diarization
    der: float | None = None  # against <recording>.rttm when there is one (no collar, overlap scored)
    share_mean_pp: float | None = None  # mean per-person share error (points) against that RTTM
    # current RSS of the whole process when the analysis started, and its highest value sampled
    # during the analysis (every 50 ms; None off Linux): this run's own peak, models included
    run_rss_start_mib: float | None = None
    run_rss_peak_mib: float | None = None

    @property
    def run_rss_growth_mib(self) -> float | None:
        """How much the process's resident memory grew during this analysis (sampled peak - start)."""
        if self.run_rss_peak_mib is None or self.run_rss_start_mib is None:
            return None
        return self.run_rss_peak_mib - self.run_rss_start_mib

    @property
    def rtf(self) -> float:
        return self.total_s / self.audio_s if self.audio_s else 0.0

    @property
    def whisper_rtf(self) -> float:
        return self.whisper_alone_s / self.audio_s if self.audio_s else 0.0

    @property
    def cpu_per_audio_s(self) -> float:
        """CPU seconds per audio second: less sensitive than RTF to other programs' load."""
        return self.cpu_s / self.audio_s if self.audio_s else 0.0

    @property
    def ratio_to_whisper(self) -> float:
        return self.total_s / self.whisper_alone_s if self.whisper_alone_s else 0.0


class StageClock:
    """A progress hook that records when each stage first and last reports (monotonic seconds).

    Stages may run side by side (transcription during diarization): a stage then lasts from
    its first to its last report, and the stage times add up to more than the total.
    """

    def __init__(self, clock: Clock = time.perf_counter) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def __call__(self, stage: str, completed: float, total: float) -> None:
        now = self._clock()
        with self._lock:
            self.first.setdefault(stage, now)
            self.last[stage] = now

    def durations(self, started: float, ended: float) -> dict[str, float]:
        """Seconds per stage group: a stage lasts until the next stage's first report, or, when
        the next stage started before this one ended (side by side), until its own last report."""
        order = sorted(self.first.items(), key=lambda item: item[1])
        per_stage = {}
        for index, (stage, at) in enumerate(order):
            begin = started if index == 0 else at
            if self._overlaps(stage):
                until = self.last[stage]
            else:
                until = order[index + 1][1] if index + 1 < len(order) else ended
            per_stage[stage] = until - begin
        return {group: round(sum(per_stage.get(s, 0.0) for s in stages), 3) for group, stages in STAGE_GROUPS}

    def _overlaps(self, stage: str) -> bool:
        begin, end = self.first[stage], self.last.get(stage, self.first[stage])
        return any(other != stage and (begin < first < end or first < begin < self.last.get(other, first))
                   for other, first in self.first.items())

    def overlapped(self) -> bool:
        """Whether some stages ran side by side."""
        return any(self._overlaps(stage) for stage in self.first)


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_description() -> str:
    """CPU model, logical cores visible and the OS, for the record."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for the record ("unknown" where not available)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def compose_bench_inputs(minutes: Sequence[float], work_dir: Path) -> list[Path]:
    """Compose a balanced 4-person meeting of each length (deterministic; rewritten every time)."""
    from analyzer.compose import compose_meeting, synthetic_scenario, write_meeting

    return [write_meeting(compose_meeting(synthetic_scenario(length)), work_dir).audio for length in minutes]


def run_bench(paths: Sequence[Path], config: AnalysisConfig, analyzer=None,
              baseline=None, clock: Clock = time.perf_counter) -> tuple[float, list[BenchResult]]:
    """Time the pipeline and faster-whisper alone on each file; returns (model load s, results).

    Args:
        paths: recordings.
        config: analysis settings.
        analyzer: an already built analyzer (its load time is then 0); default: build the real one.
        baseline: the transcriber timed alone; default: :func:`baseline_transcriber`.
        clock: wall-clock seconds (tests pass a fake one).
    """
    load_s = 0.0
    if analyzer is None:
        from analyzer.pipeline import analysis

        started = clock()
        analyzer = analysis.build_analyzer(config)
        load_s = clock() - started
    results = []
    for path in paths:
        timed = time_analysis(analyzer, path, clock=clock)
        if baseline is None:  # loaded after the first analysis, outside its memory peak
            baseline = baseline_transcriber(analyzer, config)
        whisper = time_whisper_alone(baseline, path, config, clock=clock)
        results.append(bench_result(timed, whisper, load_s))
    return load_s, results


@dataclass(frozen=True)
class TimedAnalysis:
    """One analysis as :func:`time_analysis` measured it."""

    path: Path
    result: object  # the SessionResult
    stages: dict[str, float]
    total_s: float
    cpu_s: float
    overlapped: bool
    peak_rss_mib: float
    rss_start_mib: float | None
    rss_peak_mib: float | None


def time_analysis(analyzer, path: Path, *, config: AnalysisConfig | None = None,
                  clock: Clock = time.perf_counter) -> TimedAnalysis:
    """Analyse ``path`` once, timing each stage, CPU time and resident memory."""
    stage_clock = StageClock(clock)
    with RssSampler() as rss:
        cpu_started, started = cpu_seconds(), clock()
        result = analyzer.analyze_file(path, hook=stage_clock, config=config)
        ended, cpu_used = clock(), cpu_seconds() - cpu_started
    return TimedAnalysis(Path(path), result, stage_clock.durations(started, ended), ended - started, cpu_used,
                         stage_clock.overlapped(), peak_rss_mib(), rss.start_mib, rss.peak_mib)


def time_whisper_alone(transcriber, path: Path, config: AnalysisConfig,
                       clock: Clock = time.perf_counter) -> tuple[float, float]:
    """Decode + transcribe ``path`` with ``transcriber`` alone: (wall s, CPU s)."""
    from analyzer.adapters.audio import load_audio

    cpu_started, started = cpu_seconds(), clock()
    transcriber.transcribe(load_audio(path), config=config.asr)
    return clock() - started, cpu_seconds() - cpu_started


def bench_result(timed: TimedAnalysis, whisper: tuple[float, float], load_s: float) -> BenchResult:
    """The figures of one timed analysis, with faster-whisper alone on the same file and the DER."""
    der, share_pp = score_against_rttm(timed.path, timed.result)
    rss_start, rss_peak = (None if v is None else round(v, 1) for v in (timed.rss_start_mib, timed.rss_peak_mib))
    return BenchResult(file=str(timed.path), audio_s=timed.result.recording.duration, model_load_s=round(load_s, 3),
                       stages=timed.stages, total_s=round(timed.total_s, 3), peak_rss_mib=round(timed.peak_rss_mib, 1),
                       whisper_alone_s=round(whisper[0], 3), cpu_s=round(timed.cpu_s, 2),
                       whisper_cpu_s=round(whisper[1], 2), overlapped=timed.overlapped, der=der,
                       share_mean_pp=share_pp, run_rss_start_mib=rss_start, run_rss_peak_mib=rss_peak)


def baseline_transcriber(analyzer, config: AnalysisConfig):
    """faster-whisper as a user would run it alone: the analyzer's model, or the same model with
    faster-whisper's default threads when the analyzer's copy was loaded with fewer."""
    own = analyzer.transcriber
    own_threads = getattr(getattr(own, "config", None), "cpu_threads", config.asr.cpu_threads)
    if own_threads == config.asr.cpu_threads or not hasattr(own, "model"):
        return own
    from analyzer.adapters.transcribe import FasterWhisperTranscriber

    return FasterWhisperTranscriber(config.asr, device=analyzer.diarizer.device)


def score_against_rttm(path: Path, result) -> tuple[float | None, float | None]:
    """DER (no collar, overlap scored) and mean share error against ``<recording>.rttm``, if any."""
    rttm = path.with_suffix(".rttm")
    if not rttm.is_file():
        return None, None
    from analyzer.evaluation.scoring import DiarizationScorer, optimal_mapping
    from analyzer.evaluation.shares import share_error, shares_from_segments
    from analyzer.formats.rttm import read_rttm

    by_uri = read_rttm(rttm)
    reference = next(iter(by_uri.values())) if len(by_uri) == 1 else by_uri.get(path.stem)
    if not reference:
        return None, None
    system = result.diarization.segments
    score = DiarizationScorer().score(reference, system, ((0.0, result.recording.duration),), uri=path.stem)
    mapping = optimal_mapping(reference, system, uri=path.stem)
    shares = {s.speaker: s.share for s in (result.metrics.speakers if result.metrics else ()) if not s.silent_attendee}
    return round(score.der, 4), round(share_error(shares_from_segments(reference), shares, mapping).mean_pp, 2)
