"""``floorshare bench``: where the time goes, and how it compares with faster-whisper alone.

For each recording: model load time (once per process), time per stage (decode,
diarization, transcription, alignment + metrics) from the pipeline's progress hook,
total, real-time factor (processing seconds per audio second), peak resident memory,
then faster-whisper alone (decode + transcription with the same loaded model and
settings) on the same audio in the same process, and our total as a ratio to it:
a machine-independent figure.
"""

from __future__ import annotations

import os
import platform
import threading
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from analyzer.core.config import AnalysisConfig

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
    peak_rss_mib: float
    whisper_alone_s: float
    cpu_s: float = 0.0  # user + system CPU seconds of the analysis (all threads)
    whisper_cpu_s: float = 0.0
    overlapped: bool = False  # transcription ran side by side with diarization
    der: float | None = None  # against <recording>.rttm when there is one (no collar, overlap scored)
    share_mean_pp: float | None = None  # mean per-person share error (points) against that RTTM

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

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, stage: str, completed: float, total: float) -> None:
        now = time.perf_counter()
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


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform.system() == "Darwin" else peak / 1024


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


def compose_bench_inputs(minutes: Sequence[float], work_dir: Path) -> list[Path]:
    """Compose a balanced 4-person meeting of each length (deterministic; rewritten every time)."""
    from analyzer.compose import compose_meeting, synthetic_scenario, write_meeting

    return [write_meeting(compose_meeting(synthetic_scenario(length)), work_dir).audio for length in minutes]


def run_bench(paths: Sequence[Path], config: AnalysisConfig, analyzer=None,
              baseline=None) -> tuple[float, list[BenchResult]]:
    """Time the pipeline and faster-whisper alone on each file; returns (model load s, results).

    Args:
        paths: recordings.
        config: analysis settings.
        analyzer: an already built analyzer (its load time is then 0); default: build the real one.
        baseline: the transcriber timed alone; default: the analyzer's own one, or, when the
            analyzer's Whisper runs with fewer threads to share the cores with diarization,
            the same model loaded with faster-whisper's own thread default (what a user of
            faster-whisper alone gets).
    """
    from analyzer.adapters.audio import load_audio

    load_s = 0.0
    if analyzer is None:
        from analyzer.pipeline.analysis import build_analyzer

        started = time.perf_counter()
        analyzer = build_analyzer(config)
        load_s = time.perf_counter() - started
    results = []
    for path in paths:
        clock = StageClock()
        cpu_started, started = cpu_seconds(), time.perf_counter()
        result = analyzer.analyze_file(path, hook=clock)
        ended, cpu_used = time.perf_counter(), cpu_seconds() - cpu_started
        peak = peak_rss_mib()
        if baseline is None:
            baseline = _baseline_transcriber(analyzer, config)
        cpu_started, whisper_started = cpu_seconds(), time.perf_counter()
        baseline.transcribe(load_audio(path), config=config.asr)
        whisper_s, whisper_cpu = time.perf_counter() - whisper_started, cpu_seconds() - cpu_started
        der, share_pp = score_against_rttm(Path(path), result)
        results.append(BenchResult(file=str(path), audio_s=result.recording.duration, model_load_s=round(load_s, 3),
                                   stages=clock.durations(started, ended), total_s=round(ended - started, 3),
                                   peak_rss_mib=round(peak, 1), whisper_alone_s=round(whisper_s, 3),
                                   cpu_s=round(cpu_used, 2), whisper_cpu_s=round(whisper_cpu, 2),
                                   overlapped=clock.overlapped(), der=der, share_mean_pp=share_pp))
    return load_s, results


def _baseline_transcriber(analyzer, config: AnalysisConfig):
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
