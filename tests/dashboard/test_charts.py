"""The report's tables and charts: pure functions of a SessionResult (real metrics, fake models)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard import charts, tables, trend_charts
from tests.conftest import write_tone_wav
from tests.dashboard.conftest import LED_MEETING, analyse_script


@pytest.fixture(scope="module")
def led(tmp_path_factory):
    wav = write_tone_wav(tmp_path_factory.mktemp("led") / "led.wav", 72.0)
    result = analyse_script(wav, LED_MEETING, attendees=("SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "Dev"))
    return replace(result, speaker_names={"SPEAKER_00": "Ana"})


def test_share_table_names_people_and_counts_silent_attendees(led):
    table = tables.share_table(led)
    assert "Ana" in set(table["person"]) and "SPEAKER_00" not in set(table["person"])
    assert table["share (%)"].sum() == pytest.approx(100, abs=0.5)
    silent = table[table["silent attendee"]]
    assert len(silent) == 1 and silent["share (%)"].iloc[0] == 0
    assert list(table["share (%)"]) == sorted(table["share (%)"], reverse=True)


def test_window_strip_tiles_cover_the_windows_without_overlap(led):
    table = tables.window_table(led)
    assert len(table) == len(led.metrics.timeline) > 1
    assert list(table["from (s)"])[1:] == list(table["to (s)"])[:-1]  # contiguous, no overlap
    assert table["from (s)"].iloc[0] == 0 and table["to (s)"].iloc[-1] == pytest.approx(
        max(w.end for w in led.metrics.timeline), abs=0.1)


def test_interruption_grid_is_square_with_zeros_and_no_silent_attendees(led):
    grid = charts.matrix_grid(led, "interruptions")
    speaking = tables.speaker_order(led, include_silent=False)
    assert len(grid) == len(speaking) * (len(speaking) - 1) and "Dev" not in set(grid["from"])
    assert grid["count"].sum() == sum(sum(row.values()) for row in led.metrics.interruption_matrix.values())


def test_network_edges_carry_both_directions(led):
    edges = charts.network_edges(led)
    transitions = led.metrics.transitions
    names = {"SPEAKER_00": "Ana"}
    for (a, b) in [("SPEAKER_00", "SPEAKER_02")]:
        both = transitions.get(a, {}).get(b, 0) + transitions.get(b, {}).get(a, 0)
        edge = edges[edges["edge"].str.contains(names.get(a, a)) & edges["edge"].str.contains(b)]
        assert set(edge["handovers"]) == {both} and len(edge) == 2  # one line, two ends


def test_transcript_search_and_people_filter(led):
    assert len(tables.transcript_table(led)) == len(led.turns)
    found = tables.transcript_table(led, "LAUNCH")
    assert len(found) == 2 and all("launch" in t for t in found["text"])
    only_ana = tables.transcript_table(led, people=["Ana"])
    assert set(only_ana["person"]) == {"Ana"} and len(only_ana) == 3


def test_directive_quotes_keep_time_and_person(led):
    table = tables.directives_table(led)
    assert len(table) == len(led.directives) > 0
    assert set(table["person"]) <= set(tables.speaker_order(led))
    assert list(table["time (s)"]) == sorted(table["time (s)"])


@pytest.mark.parametrize("build, people_coloured", [
    (charts.share_chart, True), (charts.timeline_chart, True), (charts.network_chart, True),
    (charts.questions_chart, True), (charts.window_strip_chart, False), (charts.matrix_chart, False),
    (charts.directives_chart, False)])
def test_every_chart_is_valid_vega_lite_with_colour_blind_safe_colours(led, build, people_coloured):
    spec = build(led).to_dict()
    assert "$schema" in spec
    if people_coloured:  # people get Okabe-Ito colours, in the report's order
        assert list(charts.OKABE_ITO[:3]) == _person_range(spec)[:3]


def _person_range(spec) -> list[str]:
    """The colour range of the first ``person`` colour scale in a (layered/concatenated) spec."""
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            colour = node.get("color")
            if isinstance(colour, dict) and colour.get("field") == "person" and "scale" in colour:
                return colour["scale"]["range"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError("no person colour scale")


def test_trend_tables_follow_the_sessions(led):
    from analyzer.storage.trends import GroupTrends, PersonPoint, PersonTrend, SessionPoint

    trends = GroupTrends("Team", (
        SessionPoint(1, "a", "2026-11-02T09:00:00+00:00", 72.0, "one_to_many", led.metrics.group),
        SessionPoint(2, "b", "2026-11-09T09:00:00+00:00", 50.0, None, None)),
        (PersonTrend("Ana", (PersonPoint(1, "2026-11-02T09:00:00+00:00", "SPEAKER_00",
                                         0.6, 40.0, 3, 1, 0, 2),)),))
    sessions = trend_charts.sessions_table(trends)
    assert list(sessions["verdict"]) == ["One to many", "no metrics"]
    assert sessions["balance"].iloc[0] == round(led.metrics.group.entropy_norm, 3)
    people = trend_charts.people_table(trends)
    assert people.iloc[0]["share (%)"] == 60.0 and people.iloc[0]["session"] == "2026-11-02 #1"
    for chart in (trend_charts.indices_chart(trends), trend_charts.verdict_chart(trends),
                  trend_charts.person_chart(trends, "directives", "directives")):
        assert "$schema" in chart.to_dict()
