"""AppTest: a group sets its agreements (versioned), reports open with them, trends follow them, and the
feedback view for the whole group."""

from __future__ import annotations

from datetime import date

from analyzer.metrics import agreements as ag
from tests.dashboard.test_pages import all_text, open_page


def save_goals(at, *, valid_from: date, max_share: float | None = None, only_share: bool = False) -> None:
    if max_share is not None:
        at.number_input(key=f"goal_value_{ag.MAX_SHARE}").set_value(max_share)
    for kind in ag.KINDS:
        at.checkbox(key=f"goal_on_{kind}").set_value(kind == ag.MAX_SHARE or not only_share)
    at.date_input(key="goal_valid_from").set_value(valid_from)
    next(b for b in at.button if b.label == "Save as the group's agreements").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_agreements_are_set_versioned_and_each_report_is_judged_by_those_in_force(seeded):
    at = open_page("app_pages/agreements.py", group="Team")
    assert "**Team** has no agreements yet" in all_text(at)
    assert all(at.checkbox(key=f"goal_on_{kind}").value for kind in ag.KINDS)  # the starting set, on
    assert at.number_input(key=f"goal_value_{ag.MAX_SHARE}").value == 35.0
    save_goals(at, valid_from=date(2026, 11, 1))  # before the Monday planning (2 Nov)
    save_goals(at, valid_from=date(2026, 11, 5), max_share=60.0, only_share=True)  # before the chat (9 Nov)
    versions = seeded.store.goal_versions("Team")
    assert [(v.version, v.valid_from, len(v.goals)) for v in versions] == [(1, "2026-11-01", 5), (2, "2026-11-05", 1)]
    assert versions[1].goals == (ag.Goal(ag.MAX_SHARE, 0.6),)
    assert seeded.store.goal_versions("Board") == []

    led = open_page("app_pages/report.py", session=str(seeded.led))
    assert led.subheader[0].value == "Our agreements"  # the report opens with them
    text = all_text(led)
    judged = seeded.store.agreements(seeded.led)
    assert judged.version.version == 1 and f"{judged.kept} of 5 agreements kept (version 1" in text
    share = next(c for c in judged.checks if c.goal.kind == ag.MAX_SHARE)
    assert share.kept is False and "Not kept: the largest share was" in text and "(Ana)" in text

    chat = open_page("app_pages/report.py", session=str(seeded.open))
    text = all_text(chat)
    assert "1 agreements kept (version 2" in text or "1 of 1 agreements kept (version 2" in text
    assert "Largest share" in text and "since the last meeting" in text  # what moved since 2 Nov

    other = open_page("app_pages/report.py", session=str(seeded.other))
    assert "The group has no agreements yet." in all_text(other)

    trends = open_page("app_pages/trends.py")
    trends.selectbox(key="trends_group").set_value("Team").run()
    table = next(df.value for df in trends.dataframe if "target" in df.value.columns)
    assert list(table["version"]) == [1] * 5 + [2]
    assert list(table[table["version"] == 2]["target"]) == [60.0]
    assert list(table["title"].unique()) == ["Monday planning", "Schedule chat"]


def test_the_feedback_view_shows_the_verdict_shares_and_agreements_without_ranking(seeded):
    seeded.store.set_goals("Team", ag.STARTING_GOALS, valid_from="2026-01-01")
    at = open_page("app_pages/feedback.py", session=str(seeded.led))
    (block,) = [e.proto.body for e in at.get("html")]
    assert "Mostly one voice" in block and "Monday planning" in block and "2026-11-02" in block
    assert "Ana" in block and "SPEAKER_" not in block and "SILENT_" not in block  # names or "Person N"
    names = [part.split("</span>")[0] for part in block.split('class="fs-name">')[1:]]
    assert names == ["Ana", "Dev", "Person 2", "Person 3"]  # named ones alphabetically, then the others
    judged = seeded.store.agreements(seeded.led)
    assert f"Our agreements: {judged.kept} of 5 kept" in block and "(Ana)" not in block
    assert "What we noticed" in block and "@media print" in block
    assert "One person who was there hardly spoke or did not speak" in block  # the silent attendee, as a plain observation
