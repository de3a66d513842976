"""Bench timing logic with fakes (the real-model run is tests/integration/test_bench.py)."""

from __future__ import annotations

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.evaluation.bench import StageClock, machine_description, peak_rss_mib, run_bench
from analyzer.pipeline.analysis import Analyzer
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script


def test_stage_clock_splits_the_run_at_each_stage_start():
    clock = StageClock()
    clock.first = {"decode": 10.0, "diarize": 11.0, "prosody": 13.5, "transcribe": 14.0, "align": 15.0,
                   "metrics": 15.5}
    durations = clock.durations(started=9.5, ended=16.0)
    assert durations == {"decode": 1.5, "diarization": 2.5, "prosody": 0.5, "transcription": 1.0,
                         "alignment+metrics": 1.0}
    assert sum(durations.values()) == pytest.approx(16.0 - 9.5)


def test_run_bench_times_every_stage_and_the_asr_alone(tone_wav):
    words = words_from_script([(0.1, 1.0, "hello there"), (1.1, 1.9, "yes indeed")])
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer([seg(0, 1, "A"), seg(1, 2, "B")]))
    load_s, results = run_bench([tone_wav], AnalysisConfig(), analyzer=analyzer)
    result = results[0]
    assert load_s == 0.0 and result.audio_s == pytest.approx(2.0)
    assert set(result.stages) == {"decode", "diarization", "prosody", "transcription", "alignment+metrics"}
    assert sum(result.stages.values()) == pytest.approx(result.total_s, abs=0.01)
    assert result.whisper_alone_s >= 0 and result.rtf == pytest.approx(result.total_s / 2.0)
    assert result.peak_rss_mib == pytest.approx(peak_rss_mib(), rel=0.5)
    # this run's own peak, sampled from the current RSS: never above the process's peak so far
    assert 0 < result.run_rss_start_mib <= result.run_rss_peak_mib <= result.peak_rss_mib + 1
    assert result.run_rss_growth_mib == pytest.approx(result.run_rss_peak_mib - result.run_rss_start_mib)


def test_machine_description_names_cores_and_python():
    text = machine_description()
    assert "cores" in text and "Python 3." in text
