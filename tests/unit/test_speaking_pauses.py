"""The pauses inside a speaker's segments are taken out of the exclusive track (speaking time)."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.adapters.pauses import frame_levels, without_pauses
from analyzer.core.schema import SpeakerSegment

RATE = 16000


def phrases(layout: list[tuple[float, float]], noise_db: float | None = None, seed: int = 0) -> np.ndarray:
    """Noise bursts ("speech") at -20 dB where ``layout`` says (seconds, amplitude 1 = -20 dB), silence or
    a noise floor ``noise_db`` elsewhere; 10 s long."""
    rng = np.random.default_rng(seed)
    samples = np.zeros(10 * RATE, dtype=np.float32)
    if noise_db is not None:
        samples += rng.normal(0, 10 ** (noise_db / 20), len(samples)).astype(np.float32)
    for start, end in layout:
        a, b = int(start * RATE), int(end * RATE)
        samples[a:b] += rng.normal(0, 0.1, b - a).astype(np.float32)
    return samples


def cut(samples: np.ndarray, segments, depth_db: float = 35.0, min_pause_s: float = 0.2):
    return without_pauses(segments, frame_levels(samples, RATE), depth_db=depth_db, min_pause_s=min_pause_s)


def test_a_pause_between_phrases_is_not_speaking_time():
    audio = phrases([(1.0, 3.0), (3.3, 5.0)])  # a 0.3 s pause between two phrases of one turn
    kept = cut(audio, [SpeakerSegment(1.0, 5.0, "A")])
    assert [(s.start, s.end) for s in kept] == [(1.0, pytest.approx(3.0, abs=0.011)),
                                                (pytest.approx(3.3, abs=0.011), 5.0)]
    assert all(s.speaker == "A" and type(s.start) is float and type(s.end) is float for s in kept)


def test_a_pause_shorter_than_the_minimum_stays_speech():
    audio = phrases([(1.0, 3.0), (3.15, 5.0)])  # 0.15 s: inside a phrase
    assert cut(audio, [SpeakerSegment(1.0, 5.0, "A")]) == (SpeakerSegment(1.0, 5.0, "A"),)


def test_silence_at_a_segments_edges_goes_from_half_the_minimum():
    audio = phrases([(1.2, 4.0)])  # the segment starts 0.2 s early and ends 0.05 s late
    kept = cut(audio, [SpeakerSegment(1.0, 4.05, "A")])
    assert len(kept) == 1 and kept[0].start == pytest.approx(1.2, abs=0.011) and kept[0].end == 4.05


def test_a_noise_floor_that_fills_the_pauses_changes_nothing():
    audio = phrases([(1.0, 3.0), (3.3, 5.0)], noise_db=-45.0)  # 25 dB SNR: the pause is not 35 dB down
    segments = (SpeakerSegment(1.0, 5.0, "A"), SpeakerSegment(6.0, 7.0, "B"))
    assert cut(audio, segments) == segments


def test_off_and_degenerate_inputs_leave_the_segments_alone():
    audio = phrases([(1.0, 3.0), (3.3, 5.0)])
    segments = (SpeakerSegment(1.0, 5.0, "A"), SpeakerSegment(5.0, 5.02, "B"))
    assert cut(audio, segments, depth_db=0) == segments
    assert cut(np.zeros(RATE, dtype=np.float32), (SpeakerSegment(0.1, 0.9, "A"),)) == (SpeakerSegment(0.1, 0.9, "A"),)
    assert without_pauses(segments, np.zeros(0, dtype=np.float32), depth_db=35.0, min_pause_s=0.2) == segments
    # a segment too short to measure is kept whole
    assert SpeakerSegment(5.0, 5.02, "B") in cut(audio, segments)


def test_frame_levels_are_blockwise_the_same_as_at_once():
    audio = phrases([(1.0, 3.0)], noise_db=-60.0)
    whole = frame_levels(audio, RATE, block_frames=10_000)
    assert len(whole) == 1000 and whole.dtype == np.float32
    np.testing.assert_allclose(frame_levels(audio, RATE, block_frames=7), whole, atol=1e-4)
    assert whole[150] == pytest.approx(-20.0, abs=0.5) and whole[500] == pytest.approx(-60.0, abs=0.5)
