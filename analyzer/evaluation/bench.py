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
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from analyzer.core.config import AnalysisConfig

STAGE_GROUPS = (("decode", ("decode",)), ("diarization", ("diarize",)), ("transcription", ("transcribe",)),
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
    """A progress hook that records when each stage first reports (monotonic seconds)."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}

    def __call__(self, stage: str, completed: float, total: float) -> None:
        self.first.setdefault(stage, time.perf_counter())

    def durations(self, started: float, ended: float) -> dict[str, float]:
        """Seconds per stage group: a stage lasts until the next stage's first report."""
        order = sorted(self.first.items(), key=lambda item: item[1])
        per_stage = {}
        for index, (stage, at) in enumerate(order):
            until = order[index + 1][1] if index + 1 < len(order) else ended
            per_stage[stage] = until - (started if index == 0 else at)
        return {group: round(sum(per_stage.get(s, 0.0) for s in stages), 3) for group, stages in STAGE_GROUPS}


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


def run_bench(paths: Sequence[Path], config: AnalysisConfig, analyzer=None) -> tuple[float, list[BenchResult]]:
    """Time the pipeline and faster-whisper alone on each file; returns (model load s, results).

    Args:
        paths: recordings.
        config: analysis settings.
        analyzer: an already built analyzer (its load time is then 0); default: build the real one.
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
        cpu_started, whisper_started = cpu_seconds(), time.perf_counter()
        analyzer.transcriber.transcribe(load_audio(path), config=config.asr)
        whisper_s, whisper_cpu = time.perf_counter() - whisper_started, cpu_seconds() - cpu_started
        results.append(BenchResult(file=str(path), audio_s=result.recording.duration, model_load_s=round(load_s, 3),
                                   stages=clock.durations(started, ended), total_s=round(ended - started, 3),
                                   peak_rss_mib=round(peak_rss_mib(), 1), whisper_alone_s=round(whisper_s, 3),
                                   cpu_s=round(cpu_used, 2), whisper_cpu_s=round(whisper_cpu, 2)))
    return load_s, results
