"""Cross-check against the meeting composer's exact ground truth (eval/scenarios, analyzer.compose).

The composer lays out interruptions by type from its own reading of the definitions;
from its reference RTTM alone the metrics must find the same overlap-based
interruptions, the same backchannels and the scenario's verdict. Silent
interruptions need words, so an RTTM alone cannot show them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.sources import metrics_from_segments

compose = pytest.importorskip("analyzer.compose")
SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "eval" / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_metrics_from_the_reference_rttm_match_the_composed_truth(path):
    scenario = compose.load_scenario(path)
    meeting = compose.compose_meeting(scenario)
    config = AnalysisConfig()
    config = replace(config, metrics=replace(config.metrics, attendees=meeting.attendees))
    metrics = metrics_from_segments(meeting.segments, config, duration=meeting.duration)[0]
    key = lambda i: (round(i.time, 1), i.interrupter, i.interrupted, i.type)  # noqa: E731
    expected = {key(i) for i in meeting.interruptions if i.type != "silent"}
    assert {key(i) for i in metrics.interruptions} == expected
    assert sum(s.backchannels for s in metrics.speakers) == len(meeting.backchannels)
    assert metrics.verdict.label == scenario.verdict
    silent = {p.name for p in scenario.people if p.silent}
    assert {s.speaker for s in metrics.speakers if s.silent_attendee} == silent


def test_there_are_scenarios_to_check():
    assert len(SCENARIOS) >= 5
    assert Counter(compose.load_scenario(p).verdict for p in SCENARIOS).keys() >= {
        "one_to_many", "hub_and_spoke", "many_to_many"}
