"""Raised-voice scoring against the composer's level changes (analyzer.evaluation.raised)."""

from __future__ import annotations

import json

import pytest

from analyzer.compose import compose_meeting, load_scenario, write_meeting
from analyzer.evaluation.manifest import read_events
from analyzer.evaluation.raised import LevelTruth, match_raised, raised_truth
from analyzer.core.schema import RaisedVoice
from tests.conftest import ROOT


def test_truth_is_raises_of_6_db_or_more_for_1_s_or_more():
    changes = [LevelTruth("a", 1.0, 4.0, 9.0), LevelTruth("a", 6.0, 9.0, 3.0), LevelTruth("b", 10.0, 14.0, -8.0),
               LevelTruth("b", 20.0, 20.5, 12.0)]
    assert raised_truth(changes) == [LevelTruth("a", 1.0, 4.0, 9.0)]


def test_onsets_match_within_one_second_one_to_one():
    truth = [LevelTruth("a", 10.0, 13.0, 9.0), LevelTruth("b", 30.0, 33.0, 9.0)]
    system = [RaisedVoice("s1", 10.6, 13.0, 8.0, ""), RaisedVoice("s1", 10.9, 12.0, 8.0, ""),
              RaisedVoice("s2", 31.5, 33.0, 8.0, "")]
    counts, errors = match_raised(truth, system)
    assert (counts.matched, counts.reference, counts.system) == (1, 2, 3)
    assert errors == [pytest.approx(0.6)]


def test_composed_level_changes_are_exact_and_reach_the_events_file(tmp_path):
    meeting = compose_meeting(load_scenario(ROOT / "eval" / "scenarios" / "chair_raised.toml"))
    changes = meeting.level_changes
    assert [c.gain_db for c in changes] == [8.0, -6.0, 12.0, 10.0, 9.0, -8.0]
    for change in changes:  # the extent lies on the speaker's own speech, start and end
        mine = [s for s in meeting.segments if s.speaker == change.speaker]
        assert any(s.start <= change.start < s.end for s in mine)
        assert any(s.start < change.end <= s.end + 1e-3 for s in mine)
    files = write_meeting(meeting, tmp_path)
    truth = read_events(files.events)
    assert len(raised_truth(truth.level_changes)) == 4
    data = json.loads(files.events.read_text())
    assert data["level_changes"][0]["speaker"] == "chair"


def test_a_raised_step_is_louder_by_its_gain_in_the_mix():
    import numpy as np

    from analyzer.compose import SAMPLE_RATE

    meeting = compose_meeting(load_scenario(ROOT / "eval" / "scenarios" / "calm_dialogue.toml"))
    loud = next(c for c in meeting.level_changes if c.gain_db == 12.0)
    inside = meeting.samples[int(loud.start * SAMPLE_RATE): int(loud.end * SAMPLE_RATE)]
    before = meeting.samples[int((loud.start - 4) * SAMPLE_RATE): int(loud.start * SAMPLE_RATE)]
    level = lambda x: 10 * np.log10(np.mean(x.astype(np.float64) ** 2))  # noqa: E731
    assert level(inside) - level(before) == pytest.approx(12.0, abs=4.0)  # speech varies a few dB
