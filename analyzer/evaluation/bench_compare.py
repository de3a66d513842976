"""``floorshare bench --against ALT.toml``: configurations compared in one process.

The baseline is the run's own configuration; each alternative is another one. Every
recording is analysed under the baseline and then under each alternative, in the same
process, one after the other, so the alternative's time can be stated as a ratio to the
baseline's that a slower or busier machine leaves roughly unchanged (both see the same
load, the same disk cache, the same CPU). A configuration whose load-time settings
(:meth:`AnalysisConfig.load_time_settings`) differ gets its own models from
:func:`analyzer.pipeline.analysis.build_analyzer`; the others share the loaded ones.

Before the timed runs each configuration analyses the first ``warm_up_s`` seconds of the
first recording once, untimed, so the first configuration does not alone pay first-call
costs (thread pools, kernel selection). faster-whisper alone is timed once per recording
and speech-model setup (configurations that transcribe the same way share that figure).

Memory: the process's peak (``getrusage``) only grows, so each run also reports the peak of
the process's current resident memory sampled during it (:mod:`analyzer.evaluation.rss`).
Both are of the whole process: a later configuration's figure includes the models of the
earlier ones, which stay loaded; its growth during the run is the comparable figure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.evaluation.bench import (
    BenchResult, Clock, baseline_transcriber, bench_result, time_analysis, time_whisper_alone,
)

WARM_UP_S = 10.0
BASELINE = "baseline"


@dataclass(frozen=True)
class Variant:
    """One configuration to time: ``name`` is how tables call it (the baseline's is "baseline")."""

    name: str
    config: AnalysisConfig
    source: str | None = None  # the config file it came from, if any


def config_diff(baseline: AnalysisConfig, other: AnalysisConfig) -> dict[str, tuple[Any, Any]]:
    """Every setting that differs, as ``{"diarization.segmentation_step": (0.1, 0.2)}`` (sorted)."""
    flat_base, flat_other = _flatten(baseline.to_dict()), _flatten(other.to_dict())
    return {key: (flat_base.get(key), flat_other.get(key)) for key in sorted(set(flat_base) | set(flat_other))
            if flat_base.get(key) != flat_other.get(key)}


def load_time_changes(baseline: AnalysisConfig, other: AnalysisConfig) -> tuple[str, ...]:
    """The differing settings that are fixed when the models load (those need their own models)."""
    base, wanted = baseline.load_time_settings(), other.load_time_settings()
    return tuple(sorted(key for key in base if base[key] != wanted[key]))


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@dataclass(frozen=True)
class VariantRun:
    """One recording analysed under one configuration, beside the baseline's run of it."""

    variant: str
    bench: BenchResult
    baseline: BenchResult

    @property
    def total_ratio(self) -> float:
        """This configuration's total time / the baseline's (0.61: takes 61 % of the baseline's time)."""
        return _ratio(self.bench.total_s, self.baseline.total_s)

    @property
    def diarization_ratio(self) -> float:
        return _ratio(self.bench.stages.get("diarization", 0.0), self.baseline.stages.get("diarization", 0.0))

    @property
    def cpu_ratio(self) -> float:
        return _ratio(self.bench.cpu_s, self.baseline.cpu_s)


def _ratio(value: float, base: float) -> float:
    return value / base if base else 0.0


@dataclass(frozen=True)
class Comparison:
    """Every configuration's run of every recording, baseline first for each recording."""

    variants: tuple[Variant, ...]  # the baseline first
    model_load_s: dict[str, float]  # per variant: building its analyzer (0 when its models were loaded)
    runs: tuple[VariantRun, ...]

    @property
    def baseline(self) -> Variant:
        return self.variants[0]

    def changes(self, variant: Variant) -> dict[str, tuple[Any, Any]]:
        return config_diff(self.baseline.config, variant.config)

    def load_time_changes(self, variant: Variant) -> tuple[str, ...]:
        return load_time_changes(self.baseline.config, variant.config)

    def baseline_results(self) -> list[BenchResult]:
        return [run.bench for run in self.runs if run.variant == self.baseline.name]


def unique_names(names: Sequence[str]) -> list[str]:
    """``names`` with repeats numbered ("alt.toml", "alt.toml (2)"), so columns stay apart."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def run_comparison(paths: Sequence[Path], variants: Sequence[Variant], *, build: Callable | None = None,
                   warm_up_s: float = WARM_UP_S, clock: Clock = time.perf_counter,
                   on_run: Callable[[VariantRun], None] | None = None) -> Comparison:
    """Analyse every recording under every configuration in this process (the first is the baseline).

    Args:
        paths: recordings.
        variants: the baseline first, then the alternatives (at least one in all).
        build: ``config -> Analyzer``; default :func:`analyzer.pipeline.analysis.build_analyzer`.
        warm_up_s: seconds of the first recording each configuration analyses once, untimed (0: none).
        clock: wall-clock seconds (tests pass a fake one).
        on_run: called after each run (progress).
    """
    if not variants:
        raise ValueError("run_comparison needs at least the baseline configuration")
    if build is None:
        from analyzer.pipeline import analysis

        build = analysis.build_analyzer
    analyzers, load_s = {}, {}
    for variant in variants:
        started = clock()
        analyzers[variant.name] = build(variant.config)
        load_s[variant.name] = round(clock() - started, 3)
    if warm_up_s > 0 and paths:
        _warm_up(paths[0], [(analyzers[v.name], v.config) for v in variants], warm_up_s)
    runs: list[VariantRun] = []
    whisper: dict[tuple, tuple[float, float]] = {}
    transcribers: dict[tuple, object] = {}
    for path in paths:
        base_result = None
        for variant in variants:
            analyzer = analyzers[variant.name]
            timed = time_analysis(analyzer, path, config=variant.config, clock=clock)
            key = (id(analyzer.transcriber), variant.config.asr, str(path))
            if key not in whisper:
                speech_key = key[:2]
                if speech_key not in transcribers:
                    transcribers[speech_key] = baseline_transcriber(analyzer, variant.config)
                whisper[key] = time_whisper_alone(transcribers[speech_key], path, variant.config, clock=clock)
            result = bench_result(timed, whisper[key], load_s[variant.name])
            base_result = base_result or result
            run = VariantRun(variant.name, result, base_result)
            runs.append(run)
            if on_run is not None:
                on_run(run)
    return Comparison(tuple(variants), load_s, tuple(runs))


def _warm_up(path: Path, analyzers: list[tuple[object, AnalysisConfig]], seconds: float) -> None:
    from analyzer.adapters.audio import SAMPLE_RATE, load_audio

    audio = load_audio(path)
    samples = audio.samples[: int(seconds * SAMPLE_RATE)]
    clip = replace(audio, samples=samples, recording=replace(audio.recording, duration=len(samples) / SAMPLE_RATE))
    for analyzer, config in analyzers:
        analyzer.analyze_audio(clip, config=config)
