"""Agreements in the store: versions per group, the version in force per meeting date, what moved."""

from __future__ import annotations

from session_builders import make_result

from analyzer.metrics import agreements as ag
from analyzer.storage import SessionStore


def test_sessions_are_judged_by_the_version_in_force_at_their_meeting(db_url):
    with SessionStore(db_url) as store:
        early = store.save(make_result("early"), group="team", recorded_at="2026-02-20T09:00:00+00:00")
        march = store.save(make_result("march"), group="team", recorded_at="2026-03-10T09:00:00+00:00")
        april = store.save(make_result("april"), group="team", recorded_at="2026-04-10T09:00:00+00:00")
        store.save(make_result("board"), group="board", recorded_at="2026-04-11T09:00:00+00:00")
        first = store.set_goals("team", ag.STARTING_GOALS, valid_from="2026-03-01")
        second = store.set_goals("team", [ag.Goal(ag.MAX_SHARE, 0.6)], valid_from="2026-04-01")
        assert (first.version, second.version) == (1, 2)
        assert [v.valid_from for v in store.goal_versions("team")] == ["2026-03-01", "2026-04-01"]
        assert store.goal_versions("board") == []

        none_yet = store.agreements(early)
        assert none_yet.version is None and none_yet.first_valid_from == "2026-03-01"
        in_march = store.agreements(march)
        assert in_march.version.version == 1 and len(in_march.checks) == 5
        assert in_march.previous_session_id == early  # the group's previous meeting, with or without goals
        in_april = store.agreements(april)
        (share,) = in_april.checks
        assert (share.goal.target, share.measured, share.kept) == (0.6, 0.55, True)
        assert in_april.previous_session_id == march and in_april.movement(ag.MAX_SHARE).towards_goal is None

        trend = store.agreement_trend("team")
        assert [(p.title, p.version, len(p.checks)) for p in trend] == [("early", None, 0), ("march", 1, 5),
                                                                          ("april", 2, 1)]
        store.update_session(early, recorded_at="2026-03-05T00:00:00+00:00")  # a corrected date moves it
        assert store.agreements(early).version.version == 1

        store.delete_group("team")  # the agreements go with the group
        store.create_group("team")
        assert store.goal_versions("team") == []
