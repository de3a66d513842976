"""Raised voices and heated stretches on composed meetings (real voices, exact truth), oracle diarization.

The real feature stage (librosa) runs on each scenario's solo speech from its reference segments, so
these check the features and the metrics together; `floorshare eval eval/manifests/raised.toml` does
the same with the real diarization.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio
from analyzer.compose import compose_meeting, load_scenario
from analyzer.core.config import AnalysisConfig
from analyzer.evaluation.raised import LevelTruth, match_raised, raised_truth
from analyzer.pipeline.sources import diarization_from_segments, metrics_from_segments
from analyzer.metrics.voice import solo_speech
from analyzer.adapters.voice import LibrosaProsody
from analyzer.core.schema import Recording

SCENARIOS = Path(__file__).resolve().parents[2] / "eval" / "scenarios"


def _voice(name: str):
    meeting = compose_meeting(load_scenario(SCENARIOS / f"{name}.toml"))
    audio = LoadedAudio(Recording(name, "0" * 64, meeting.duration, SAMPLE_RATE, 1), meeting.samples)
    frames = LibrosaProsody().extract(audio, solo_speech(diarization_from_segments(meeting.segments)))
    metrics = metrics_from_segments(meeting.segments, AnalysisConfig(), duration=meeting.duration,
                                    voice_frames=frames)[0]
    truth = raised_truth([LevelTruth(c.speaker, c.start, c.end, c.gain_db) for c in meeting.level_changes])
    return metrics, truth


@pytest.mark.parametrize("name", ["argument", "workshop_raised"])
def test_raised_voices_are_found_with_their_onsets(name):
    metrics, truth = _voice(name)
    counts, errors = match_raised(truth, metrics.voice.raised)
    assert counts.reference >= 7
    assert counts.f1 >= 0.85, f"{name}: {counts}"
    assert all(abs(e) <= 1.0 for e in errors)
    found = {m.speaker for m in metrics.voice.raised}
    assert found <= {t.speaker for t in truth}  # oracle labels: nobody else is said to raise their voice


def test_an_argument_has_heated_stretches_and_the_verdict_says_so():
    metrics, _ = _voice("argument")
    assert metrics.voice.heated
    assert any("heated" in reason for reason in metrics.verdict.reasons)
    assert metrics.verdict.label == "hub_and_spoke"  # the verdict's own rules are unchanged


def test_lowered_and_small_level_changes_are_not_raised_voices_and_a_calm_talk_is_not_heated():
    metrics, truth = _voice("calm_dialogue")
    assert len(truth) == 2  # the +12 dB stretches; +3, +4 and -8 dB are not raised voices
    counts, _ = match_raised(truth, metrics.voice.raised)
    assert counts.matched == 2
    assert metrics.voice.heated == ()


def test_a_balanced_meeting_without_level_changes_has_no_raised_voice():
    metrics, truth = _voice("balanced4")
    assert truth == [] and metrics.voice.raised == ()
    shares = [v.energy_share for v in metrics.voice.speakers]
    assert sum(shares) == pytest.approx(1.0) and all(0.1 < s < 0.5 for s in shares)
