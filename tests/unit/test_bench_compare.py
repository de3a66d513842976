"""`floorshare bench --against`: configurations compared in one process, with fakes and a fake clock
(the real-model run is the measured one in docs/benchmarks.md)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from analyzer.cli.app import build_app
from analyzer.core.config import AnalysisConfig, RuntimeConfig
from analyzer.evaluation.bench_compare import Variant, config_diff, load_time_changes, run_comparison, unique_names
from analyzer.evaluation.rss import RssSampler, current_rss_mib
from analyzer.pipeline.analysis import Analyzer
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script

runner = CliRunner()
SEQUENTIAL = AnalysisConfig(runtime=RuntimeConfig(overlap_stages=False))  # stage order fixed for the fake clock


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlowDiarizer(FakeDiarizer):
    """Takes ``seconds`` of the fake clock per recording."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        super().__init__([seg(0, 1, "A"), seg(1, 2, "B")])
        self.clock, self.seconds = clock, seconds

    def diarize(self, audio, *, hook=lambda *a: None, config=None):  # noqa: ANN001, ANN201
        hook("diarize", 0, 1)
        self.clock.now += self.seconds
        hook("diarize", 1, 1)
        return self.result


class SlowTranscriber(FakeTranscriber):
    def __init__(self, clock: FakeClock, seconds: float) -> None:
        super().__init__(words_from_script([(0.1, 0.9, "hello there"), (1.1, 1.9, "yes indeed")]))
        self.clock, self.seconds, self.calls = clock, seconds, 0

    def transcribe(self, audio, *, hook=lambda *a: None, config=None):  # noqa: ANN001, ANN201
        hook("transcribe", 0, 1)
        self.clock.now += self.seconds
        self.calls += 1
        return self.result


def test_config_diff_names_every_changed_setting_and_which_need_their_own_models():
    alternative = SEQUENTIAL.with_updates(diarization={"segmentation_step": 0.2, "clustering_threshold": 0.6})
    assert config_diff(SEQUENTIAL, alternative) == {"diarization.clustering_threshold": (0.7, 0.6),
                                                    "diarization.segmentation_step": (0.1, 0.2)}
    assert load_time_changes(SEQUENTIAL, alternative) == ("diarization.segmentation_step",)
    assert config_diff(SEQUENTIAL, SEQUENTIAL) == {}
    assert unique_names(["a.toml", "b.toml", "a.toml"]) == ["a.toml", "b.toml", "a.toml (2)"]


def test_run_comparison_gives_each_alternative_as_a_ratio_to_the_baseline(tone_wav):
    clock = FakeClock()
    transcriber = SlowTranscriber(clock, 2.0)  # one speech model, shared (its settings do not differ)
    built = []

    def build(config: AnalysisConfig) -> Analyzer:
        seconds = 10.0 if config.diarization.segmentation_step == 0.1 else 6.0
        built.append(config)
        return Analyzer(config, transcriber, SlowDiarizer(clock, seconds))

    step2 = SEQUENTIAL.with_updates(diarization={"segmentation_step": 0.2})
    comparison = run_comparison([tone_wav], [Variant("baseline", SEQUENTIAL), Variant("step2.toml", step2)],
                                build=build, clock=clock)
    assert [c.diarization.segmentation_step for c in built] == [0.1, 0.2]
    base, alt = comparison.runs
    assert (base.variant, alt.variant) == ("baseline", "step2.toml")
    assert base.bench.total_s == pytest.approx(12.0) and alt.bench.total_s == pytest.approx(8.0)
    assert alt.bench.stages["diarization"] == pytest.approx(6.0)
    assert alt.total_ratio == pytest.approx(8.0 / 12.0) and alt.diarization_ratio == pytest.approx(0.6)
    assert base.total_ratio == pytest.approx(1.0)
    # faster-whisper alone: timed once for the file and shared, so both ratios are against the same 2 s
    assert base.bench.whisper_alone_s == alt.bench.whisper_alone_s == pytest.approx(2.0)
    assert base.bench.ratio_to_whisper == pytest.approx(6.0) and alt.bench.ratio_to_whisper == pytest.approx(4.0)
    assert transcriber.calls == 2 + 2 + 1  # warm-up of each, the two timed analyses, faster-whisper alone once
    assert comparison.changes(comparison.variants[1]) == {"diarization.segmentation_step": (0.1, 0.2)}
    assert comparison.baseline_results() == [base.bench]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/statm is Linux")
def test_rss_sampler_sees_memory_taken_during_the_run():
    with RssSampler() as rss:
        held = np.ones(64 * 1024 * 1024 // 8)  # 64 MiB, touched
        assert held[-1] == 1.0
    assert rss.start_mib is not None and rss.peak_mib - rss.start_mib >= 48
    del held
    assert current_rss_mib() > 0


FAKE_MEETING = ([seg(0.0, 0.95, "SPEAKER_00"), seg(1.0, 2.0, "SPEAKER_01")],
                words_from_script([(0.1, 0.9, "hello there everyone"), (1.0, 1.9, "yes indeed")]))


def test_bench_against_prints_the_ratio_and_the_settings_that_differ(tmp_path, tone_wav, fake_models):
    alt = tmp_path / "step2.toml"
    alt.write_text("[diarization]\nsegmentation_step = 0.2\n")
    out = tmp_path / "bench.json"
    result = runner.invoke(build_app(), ["bench", str(tone_wav), "--against", str(alt), "--json", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "diarization.segmentation_step 0.1 -> 0.2 (load-time: own models)" in text, text
    assert "x of baseline" in text and "RSS growth in this run" in text
    assert [a.config.diarization.segmentation_step for a in fake_models] == [0.1, 0.2]
    data = json.loads(out.read_text())
    variants = data["comparison"]["variants"]
    assert [v["name"] for v in variants] == ["baseline", str(alt)]
    assert variants[1]["changes"] == {"diarization.segmentation_step": [0.1, 0.2]}
    runs = data["comparison"]["runs"]
    assert [r["variant"] for r in runs] == ["baseline", str(alt)] and runs[0]["total_x_of_baseline"] == 1.0
    assert runs[1]["total_x_of_baseline"] == pytest.approx(runs[1]["total_s"] / runs[0]["total_s"], rel=1e-6)
    assert len(data["results"]) == 1 and "memory_note" in data and "partial" not in data
    assert "under baseline: total" in text and "under " + str(alt) + ": total" in text  # progress per run


@pytest.mark.parametrize("content, expected", [
    (None, "config file not found; check the path"),
    ("[diarization\n", "not valid TOML"),
    ("[diarization]\nsegmentation_stepp = 0.2\n", "unknown key(s) in [diarization]: segmentation_stepp"),
])
def test_bench_against_a_bad_config_file_is_one_line_naming_it(tmp_path, tone_wav, fake_models, content, expected):
    alt = tmp_path / "alt.toml"
    if content is not None:
        alt.write_text(content)
    result = runner.invoke(build_app(), ["bench", str(tone_wav), "--against", str(alt)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and f"--against {alt}" in result.output, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert fake_models == []  # nothing loaded or run before the configs were checked


def test_each_run_rewrites_a_partial_report(tmp_path):
    from analyzer.cli.commands.bench import _on_run
    from analyzer.evaluation.bench import BenchResult
    from analyzer.evaluation.bench_compare import VariantRun

    def bench(total: float) -> BenchResult:
        return BenchResult(file="m.wav", audio_s=60.0, model_load_s=0.0, stages={"diarization": total - 1},
                           total_s=total, peak_rss_mib=100.0, whisper_alone_s=2.0)

    out = tmp_path / "partial.json"
    on_run = _on_run(out, AnalysisConfig())
    base = bench(10.0)
    on_run(VariantRun("baseline", base, base))
    on_run(VariantRun("alt.toml", bench(6.0), base))
    data = json.loads(out.read_text())
    assert data["partial"] is True and [r["variant"] for r in data["runs"]] == ["baseline", "alt.toml"]
    assert data["runs"][1]["total_x_of_baseline"] == pytest.approx(0.6)
