"""Verdicts on hand-built one-to-many, hub-and-spoke and many-to-many meetings, and the timeline."""

from __future__ import annotations

import pytest

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import DirectiveHit
from analyzer.metrics.verdict import window_bounds
from tests.unit.test_metrics_builders import meeting


def lecture():
    """A speaks 10 minutes with two short questions from B and C."""
    return [(0, 200, "A", ""), (202, 208, "B", ""), (210, 400, "A", ""), (402, 410, "C", ""), (412, 600, "A", "")]


def hub_meeting():
    """A talks with B, C and D in turn; the others never answer each other."""
    script, t = [], 0.0
    for spoke in "BCDBCDBCD":
        script += [(t, t + 10, "A", ""), (t + 11, t + 21, spoke, "")]
        t += 22
    return script


def round_table():
    """Everyone answers everyone: each ordered pair of speakers once."""
    order = "ABCDACBDADCBA"
    return [(12.0 * i, 12.0 * i + 11, s, "") for i, s in enumerate(order)]


def test_lecture_is_one_to_many_with_reasons_naming_numbers_and_thresholds():
    m = meeting(lecture())
    assert m.verdict.label == "one_to_many"
    assert m.verdict.reasons[0].startswith("A spoke 98 % of the speech time (one-to-many threshold 60 %)")
    assert any("monologues of at least 60 s" in r for r in m.verdict.reasons)


def test_hub_and_spoke_meeting():
    m = meeting(hub_meeting())
    assert m.group.largest_share == pytest.approx(0.5)
    assert m.verdict.label == "hub_and_spoke"
    assert m.verdict.reasons[0] == "100 % of 17 floor changes involved A (hub-and-spoke threshold 70 %)."


def test_round_table_is_many_to_many():
    m = meeting(round_table())
    assert m.verdict.label == "many_to_many"
    assert m.group.reciprocity == pytest.approx(8 / 12)
    assert m.group.hub_share < 0.7
    assert m.verdict.reasons[0].startswith("No one reached 60 % of the speech time")


def test_thresholds_come_from_the_config():
    m = meeting(hub_meeting(), config=MetricsConfig(hub_share=1.01))
    assert m.verdict.label == "many_to_many"
    m = meeting(round_table(), one_to_many_share=0.2)
    assert m.verdict.label == "one_to_many"


def test_two_people_sharing_evenly_is_many_to_many():
    m = meeting([(0, 10, "A", ""), (11, 20, "B", ""), (21, 30, "A", ""), (31, 40, "B", "")])
    assert m.verdict.label == "many_to_many"
    assert any("Two people shared the floor" in r for r in m.verdict.reasons)


def test_one_speaker_alone_is_one_to_many():
    assert meeting([(0, 30, "A", "")]).verdict.label == "one_to_many"


def test_silent_attendees_and_directives_appear_in_the_reasons():
    hits = [DirectiveHit(1.0 + i, "A", 0, "imperative", "r", "do it") for i in range(9)]
    hits += [DirectiveHit(300.0, "B", 1, "imperative", "r", "go"), DirectiveHit(301.0, "C", 2, "imperative", "r", "go")]
    m = meeting(lecture(), attendees=("A", "B", "C", "Dan"), directives=hits)
    assert "1 of 4 attendees did not speak (Dan)." in m.verdict.reasons
    assert "A issued 9 of the 11 directives." in m.verdict.reasons


def test_window_bounds_default_and_shrinking():
    config = MetricsConfig()
    long = window_bounds(600, config)
    assert long[0] == (0.0, 150.0) and long[1] == (30.0, 180.0) and long[-1] == (450.0, 600.0)
    short = window_bounds(60, config)
    assert short[0] == (0.0, 30.0) and short[1] == pytest.approx((6.0, 36.0)) and short[-1] == (30.0, 60.0)
    assert window_bounds(0, config) == []


def test_timeline_labels_monologue_dialogue_many_to_many_and_silence():
    script = [(0, 300, "A", "")]
    script += [(300 + 10 * i, 309 + 10 * i, "AB"[i % 2], "") for i in range(30)]
    script += [(600 + 10 * i, 609 + 10 * i, "ABCD"[i % 4], "") for i in range(30)]
    m = meeting(script, duration=1200)
    at = {w.start: w for w in m.timeline}
    assert at[0.0].label == "monologue" and at[0.0].speakers == ("A",)
    assert at[390.0].label == "dialogue" and set(at[390.0].speakers) == {"A", "B"}
    assert at[690.0].label == "many_to_many" and len(at[690.0].speakers) == 4
    assert at[1050.0].label == "silence" and at[1050.0].speakers == ()


def test_tied_directive_issuers_are_all_named():
    hits = [DirectiveHit(1.0, "A", 0, "imperative", "r", "go"), DirectiveHit(203.0, "B", 1, "imperative", "r", "go")]
    m = meeting(lecture(), directives=hits)
    assert "A and B each issued 1 of the 2 directives." in m.verdict.reasons
