"""Group agreements judged on hand-made meetings: each goal kept or not, by how much, and what moved."""

from __future__ import annotations

import pytest

from analyzer.core.errors import ConfigError
from analyzer.metrics import agreements as ag
from analyzer.metrics.agreement_words import check_text, goal_text, movement_text, summary_line
from tests.unit.test_metrics_builders import meeting

# One person holds the floor: A speaks 150 s in one stretch, B and C a little; a silent attendee.
LED = [(0.0, 150.0, "A", ""), (151.0, 160.0, "B", ""), (161.0, 170.0, "C", ""), (171.0, 200.0, "A", "")]
# Three people share it evenly in short turns (many to many throughout).
OPEN = [(i * 10.0, i * 10.0 + 9.5, "ABC"[i % 3], "") for i in range(36)]


def test_a_meeting_led_by_one_person_misses_share_monologue_and_many_to_many():
    metrics = meeting(LED, duration=200.0, attendees=("A", "B", "C", "D"))
    checks = {c.goal.kind: c for c in ag.judge(metrics, ag.STARTING_GOALS)}
    share = checks[ag.MAX_SHARE]
    assert share.who == "A" and share.kept is False
    assert share.measured == pytest.approx(179 / 197, abs=0.01)
    assert share.margin == pytest.approx(0.35 - share.measured)
    smallest = checks[ag.MIN_SHARE]
    assert (smallest.who, smallest.measured, smallest.kept) == ("D", 0.0, False)  # silent attendees count
    assert checks[ag.MAX_MONOLOGUE].measured == pytest.approx(150.0, abs=0.5)
    assert checks[ag.MAX_MONOLOGUE].kept is False
    assert checks[ag.MIN_MANY_TO_MANY].kept is False
    assert checks[ag.MAX_INTERRUPTIONS].measured == 0.0 and checks[ag.MAX_INTERRUPTIONS].kept is True


def test_an_open_meeting_keeps_every_starting_goal():
    metrics = meeting(OPEN, duration=360.0)
    checks = ag.judge(metrics, ag.STARTING_GOALS)
    assert all(c.kept for c in checks), [(c.goal.kind, c.measured) for c in checks]
    share = next(c for c in checks if c.goal.kind == ag.MAX_SHARE)
    assert share.measured == pytest.approx(1 / 3, abs=0.01) and share.margin > 0


def test_floor_taking_interruptions_are_counted_per_hour():
    # B cuts into A's speech twice and keeps the floor each time (successful interruptions)
    script = [(0.0, 10.0, "A", ""), (9.0, 20.0, "B", ""), (20.5, 30.0, "A", ""), (29.0, 40.0, "B", "")]
    metrics = meeting(script, duration=60.0)
    assert ag.floor_taking_interruptions(metrics) == 2
    (check,) = ag.judge(metrics, [ag.Goal(ag.MAX_INTERRUPTIONS, 60.0)])
    assert check.measured == pytest.approx(120.0) and check.kept is False and check.margin == pytest.approx(-60.0)


def test_no_metrics_or_no_speech_is_not_measured_rather_than_kept():
    (check,) = ag.judge(None, [ag.Goal(ag.MAX_SHARE, 0.35)])
    assert (check.measured, check.kept) == (None, None)
    assert check_text(check).startswith("Not measured")


def test_movement_says_whether_the_group_got_closer_to_its_goal():
    goals = ag.STARTING_GOALS
    before = ag.judge(meeting(LED, duration=200.0), goals)
    after = ag.judge(meeting(OPEN, duration=360.0), goals)
    moves = {m.kind: m for m in ag.movements(after, before)}
    share = moves[ag.MAX_SHARE]
    assert share.previous > share.current and share.towards_goal is True and share.previous_kept is False
    assert movement_text(share).startswith("largest share 91 % → 33 % since the last meeting, closer")
    back = {m.kind: m for m in ag.movements(before, after)}
    assert back[ag.MAX_SHARE].towards_goal is False and "further from the goal" in movement_text(back[ag.MAX_SHARE])


def test_plain_words_for_goals_and_checks_with_and_without_names():
    assert goal_text(ag.Goal(ag.MAX_SHARE, 0.35)) == "No one above 35 % of the speech"
    assert goal_text(ag.Goal(ag.MAX_MONOLOGUE, 120)) == "No one speaks longer than 2 minutes at a stretch"
    metrics = meeting(LED, duration=200.0)
    share = ag.judge(metrics, [ag.Goal(ag.MAX_SHARE, 0.35)])[0]
    assert check_text(share, {"A": "Ana"}.get) == "Not kept: the largest share was 91 % (Ana), 56 points over the goal."
    assert "Ana" not in check_text(share) and "(A)" not in check_text(share)  # the group view names no one


def test_the_version_in_force_is_the_latest_valid_on_the_meeting_day():
    v1 = ag.GoalVersion(1, "2026-03-01", "2026-03-01T10:00:00+00:00", (ag.Goal(ag.MAX_SHARE, 0.4),))
    v2 = ag.GoalVersion(2, "2026-04-01", "2026-04-01T10:00:00+00:00", (ag.Goal(ag.MAX_SHARE, 0.35),))
    assert ag.in_force([v1, v2], "2026-02-28T09:00:00+00:00") is None
    assert ag.in_force([v1, v2], "2026-03-31T23:00:00+00:00") == v1
    assert ag.in_force([v1, v2], "2026-04-01T00:00:00+00:00") == v2  # from the start of its day
    assert "No agreements were in force yet" in summary_line(ag.SessionAgreements(1, None, (), first_valid_from="x"))


def test_goals_are_checked_changed_and_read_back():
    with pytest.raises(ConfigError, match="unknown goal 'max_volume'"):
        ag.Goal("max_volume", 1.0)
    with pytest.raises(ConfigError, match="max_share: target 1.5 is out of range; give a percentage"):
        ag.Goal(ag.MAX_SHARE, 1.5)
    changed = ag.with_changes(ag.STARTING_GOALS, {ag.MAX_SHARE: 0.3, ag.MAX_INTERRUPTIONS: None})
    assert [g.kind for g in changed] == [ag.MAX_SHARE, ag.MIN_SHARE, ag.MAX_MONOLOGUE, ag.MIN_MANY_TO_MANY]
    assert changed[0].target == 0.3
    stored = ag.goals_to_json(changed) + [{"kind": "from_a_newer_version", "target": 1}]
    assert ag.goals_from_json(stored) == changed
    assert set(ag.REASONS) == set(ag.KINDS)


def test_observations_are_plain_and_name_no_one():
    from analyzer.metrics.observations import observations

    led = observations(meeting(LED, duration=200.0, attendees=("A", "B", "C", "D")))
    assert led == ["One person who was there hardly spoke or did not speak at all. Inviting every voice is part "
                   "of sharing the floor.", "91 % of the speaking time came from one person; the other three "
                   "people shared the rest."]
    assert observations(meeting(OPEN, duration=360.0))[0].startswith("The speaking time was spread evenly")
    pair = observations(meeting([(0.0, 6.0, "A", ""), (6.5, 10.0, "B", "")], duration=10.0))
    assert pair == ["Two people shared the speaking time, 63 % and 37 %."]


def test_the_starting_set_on_two_ami_meetings():
    """The worked example of docs/metrics.md ("Group agreements"), from the AMI reference RTTMs."""
    from pathlib import Path

    from analyzer.core.config import AnalysisConfig
    from analyzer.pipeline.sources import load_rttm_segments, metrics_from_segments

    root = Path(__file__).resolve().parents[1] / "data" / "rttm-ami"
    found = {}
    for name, duration in (("EN2002a.rttm", 2142.709375), ("ES2014c.ref.rttm", 0.0)):
        _, segments = load_rttm_segments(root / name, None)
        metrics, *_ = metrics_from_segments(segments, AnalysisConfig(),
                                            duration=max(duration, *(s.end for s in segments)))
        found[name] = {c.goal.kind: (round(c.measured, 3), c.kept) for c in ag.judge(metrics, ag.STARTING_GOALS)}
    assert found["EN2002a.rttm"] == {ag.MAX_SHARE: (0.383, False), ag.MIN_SHARE: (0.18, True),
                                     ag.MAX_MONOLOGUE: (34.37, True), ag.MAX_INTERRUPTIONS: (211.695, False),
                                     ag.MIN_MANY_TO_MANY: (0.824, True)}
    es = found["ES2014c.ref.rttm"]
    assert es[ag.MAX_SHARE][1] and es[ag.MIN_SHARE][1]
    assert es[ag.MAX_MONOLOGUE] == (121.17, False) and not es[ag.MAX_INTERRUPTIONS][1]
    assert not es[ag.MIN_MANY_TO_MANY][1] and 0.42 < es[ag.MIN_MANY_TO_MANY][0] < 0.44
