"""Properties of the metrics on random meetings (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import Diarization, SpeakerSegment
from analyzer.formats.rttm import exclusive_from_overlapping
from analyzer.metrics import compute_metrics
from analyzer.metrics.turns import turns_from_segments

# Times on a 1/8 s grid are exact in binary floating point, so shifting changes nothing.
scripts = st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 400), st.sampled_from("ABCDE")),
                   min_size=1, max_size=30, unique_by=lambda t: t[0])


def metrics_of(items, config=MetricsConfig(), shift=0.0, names=None):
    names = names or {}
    segments = tuple(SpeakerSegment(s / 8 + shift, (s + d) / 8 + shift, names.get(spk, spk)) for s, d, spk in items)
    exclusive = exclusive_from_overlapping(segments)
    diar = Diarization(segments, exclusive, tuple(sorted({s.speaker for s in segments})))
    turns = turns_from_segments(exclusive, config.rttm_turn_gap_s)
    return compute_metrics(diarization=diar, turns=turns, words=(), directives=(), duration=0.0, config=config)


def summary(m, names=None):
    """Label-free numbers: per-person rows keyed by their original label."""
    back = {v: k for k, v in (names or {}).items()}
    rows = {back.get(s.speaker, s.speaker): (round(s.speaking_time, 6), round(s.overlap_time, 6), s.turns,
                                             round(s.longest_turn, 6), s.monologues, s.backchannels,
                                             sorted(s.interruptions_made.as_dict().items()),
                                             sorted(s.interruptions_received.as_dict().items()))
            for s in m.speakers}
    g = m.group
    group = tuple(round(v, 6) for v in (g.gini, g.entropy_norm, g.effective_speakers, g.inverse_simpson,
                                        g.largest_share, g.turn_taking_index, g.hub_share, g.reciprocity,
                                        g.centralization))
    return rows, group, m.verdict.label, sorted(i.type for i in m.interruptions)


@settings(max_examples=120, deadline=None)
@given(scripts)
def test_shares_sum_to_one_and_indices_stay_in_range(items):
    m = metrics_of(items)
    assert sum(s.share for s in m.speakers) == pytest.approx(1.0)
    assert 0 <= m.group.gini <= 1
    assert 0 <= m.group.entropy_norm <= 1 + 1e-9
    assert 1 - 1e-9 <= m.group.effective_speakers <= len(m.speakers) + 1e-9
    assert 1 - 1e-9 <= m.group.inverse_simpson <= m.group.effective_speakers + 1e-9
    assert 0 <= m.group.hub_share <= 1 and 0 <= m.group.reciprocity <= 1 and 0 <= m.group.centralization <= 1
    assert m.total_speech + m.silence_time == pytest.approx(m.duration)
    assert all(s.meeting_share <= s.share + 1e-9 for s in m.speakers)
    assert m.verdict.label in ("one_to_many", "hub_and_spoke", "many_to_many") and m.verdict.reasons


@settings(max_examples=80, deadline=None)
@given(scripts, st.permutations(["P", "Q", "R", "S", "T"]))
def test_relabelling_speakers_changes_nothing(items, new_labels):
    names = dict(zip("ABCDE", new_labels))
    assert summary(metrics_of(items)) == summary(metrics_of(items, names=names), names)


@settings(max_examples=80, deadline=None)
@given(scripts, st.integers(1, 4000))
def test_shifting_time_changes_nothing_but_the_leading_silence(items, eighths):
    base, shifted = metrics_of(items), metrics_of(items, shift=eighths / 8)
    assert summary(base) == summary(shifted)
    assert shifted.silence_time == pytest.approx(base.silence_time + eighths / 8)


@settings(max_examples=80, deadline=None)
@given(scripts)
def test_adding_a_silent_attendee_raises_gini(items):
    m = metrics_of(items)
    people = tuple(s.speaker for s in m.speakers)
    more = metrics_of(items, config=replace(MetricsConfig(), attendees=(*people, "Ghost")))
    assert more.group.gini > m.group.gini
    assert more.group.entropy_norm <= m.group.entropy_norm + 1e-9 or len(people) == 1
    assert [s.speaker for s in more.speakers if s.silent_attendee] == ["Ghost"]
