"""The librosa feature stage on synthetic signals with known level and pitch (analyzer.prosody)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio
from analyzer.core.config import VoiceConfig
from analyzer.metrics.voice import voice_metrics
from analyzer.adapters.voice import LibrosaProsody
from analyzer.core.schema import Recording, SpeakerSegment


def _audio(samples) -> LoadedAudio:
    return LoadedAudio(Recording("synthetic", "0" * 64, len(samples) / SAMPLE_RATE, SAMPLE_RATE, 1), samples)


def _tone(seconds: float, freq: float, amplitude) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture(scope="module")
def prosody() -> LibrosaProsody:
    return LibrosaProsody()


def _metrics(frames, people=("A",), duration=12.0, words=(), counts=None, times=None):
    return voice_metrics(frames, people=list(people), words=list(words), word_counts=counts or {},
                         speaking_times=times or {p: duration for p in people}, interruptions=[], floor=[],
                         duration=duration, config=VoiceConfig())


def test_a_tone_gives_its_level_and_its_pitch(prosody):
    frames = prosody.extract(_audio(_tone(4.0, 220.0, 0.2)), [SpeakerSegment(0.5, 3.5, "A")])
    assert len(frames) == 1 and frames[0].hop == pytest.approx(0.02)
    expected_db = 20 * math.log10(0.2 / math.sqrt(2))  # RMS of a sine is amplitude / sqrt(2): -17.0 dBFS
    assert np.median(frames[0].level_db) == pytest.approx(expected_db, abs=0.1)
    voiced = [p for p in frames[0].pitch_hz if p > 0]
    assert len(voiced) > 0.9 * len(frames[0].pitch_hz)
    stats = _metrics(frames).speakers[0]
    assert stats.pitch_median_hz == pytest.approx(220.0, rel=0.01)
    assert stats.pitch_range_st == pytest.approx(0.0, abs=0.2)
    assert stats.median_level_db == pytest.approx(expected_db, abs=0.2)


def test_a_gain_step_of_10_db_is_one_raised_moment_with_its_onset(prosody):
    t = np.arange(12 * SAMPLE_RATE) / SAMPLE_RATE
    amplitude = np.where((t >= 5.0) & (t < 8.0), 0.05 * 10 ** (10 / 20), 0.05)
    frames = prosody.extract(_audio(_tone(12.0, 150.0, amplitude)), [SpeakerSegment(0.5, 11.5, "A")])
    voice = _metrics(frames)
    assert len(voice.raised) == 1
    moment = voice.raised[0]
    # 2 s loudness window: a 10 dB step crosses N = 4 dB up to 0.66 s before it and falls back as late
    assert moment.start == pytest.approx(5.0, abs=0.7) and moment.end == pytest.approx(8.0, abs=0.7)
    assert moment.above_db == pytest.approx(10.0, abs=0.5)
    assert voice.speakers[0].loud_p90_db == pytest.approx(10.0, abs=0.5)


def test_a_steady_voice_has_no_raised_moment_and_a_lowered_one_neither(prosody):
    t = np.arange(12 * SAMPLE_RATE) / SAMPLE_RATE
    amplitude = np.where((t >= 5.0) & (t < 8.0), 0.05 * 10 ** (-8 / 20), 0.05)
    frames = prosody.extract(_audio(_tone(12.0, 150.0, amplitude)), [SpeakerSegment(0.5, 11.5, "A")])
    assert _metrics(frames).raised == ()


def test_energy_share_follows_the_power_of_each_person(prosody):
    samples = np.concatenate([_tone(5.0, 200.0, 0.1), _tone(5.0, 120.0, 0.1 * 10 ** (-10 / 20))])
    frames = prosody.extract(_audio(samples), [SpeakerSegment(0.2, 4.8, "A"), SpeakerSegment(5.2, 9.8, "B")])
    voice = _metrics(frames, people=("A", "B"), duration=10.0)
    a, b = voice.speakers
    assert a.energy_share == pytest.approx(10 / 11, abs=0.01)  # 10 dB = 10x the power, same time
    assert a.energy_db - b.energy_db == pytest.approx(10.0, abs=0.2)
    assert b.pitch_median_hz == pytest.approx(120.0, rel=0.02)


def test_silence_gives_no_level_no_pitch_and_no_raised_moment(prosody):
    frames = prosody.extract(_audio(np.zeros(5 * SAMPLE_RATE, dtype=np.float32)), [SpeakerSegment(0.5, 4.5, "A")])
    stats = _metrics(frames).speakers[0]
    assert stats.voiced_time == 0 and stats.energy_db is None and stats.pitch_median_hz is None
    assert stats.raised_moments == 0 and stats.pace_source == "none"


def test_segments_too_short_for_a_frame_are_skipped(prosody):
    frames = prosody.extract(_audio(_tone(2.0, 200.0, 0.1)), [SpeakerSegment(0.5, 0.55, "A")])
    assert frames == ()


def test_unusable_settings_are_a_one_line_config_error(prosody):
    from dataclasses import replace

    from analyzer.core.errors import ConfigError

    audio = _audio(_tone(2.0, 200.0, 0.1))
    with pytest.raises(ConfigError, match=r"\[voice\] hop_s = 0.0"):
        prosody.extract(audio, [SpeakerSegment(0.2, 1.8, "A")], config=replace(VoiceConfig(), hop_s=0.0))
    with pytest.raises(ConfigError, match="pitch_fmin_hz = 500.0"):
        prosody.extract(audio, [SpeakerSegment(0.2, 1.8, "A")], config=replace(VoiceConfig(), pitch_fmin_hz=500.0))
