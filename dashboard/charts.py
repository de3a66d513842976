"""Schema -> Altair charts of one session's report. Pure functions (a group's trends: :mod:`dashboard.trend_charts`).

Every chart is built from a table of :mod:`dashboard.tables`, so the page can show the same
numbers as a table.
Colours come from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness; no chart relies on colour alone (tooltips and
tables carry every number).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from analyzer.core.schema import SessionResult
from dashboard import tables

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WINDOW_COLOURS = {"monologue": "#D55E00", "dialogue": "#E69F00", "many to many": "#009E73", "silence": "#BBBBBB"}
SEQUENTIAL_SCHEME = "blues"  # one hue, light to dark: readable with any colour vision
ROW_PX = 34  # height per person row; Streamlit fits axes and legends inside a chart's height
AXIS_PX = 60


def person_scale(people: list[str]) -> alt.Scale:
    """A colour per person, in a fixed order, cycling the Okabe-Ito palette."""
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(people))]
    return alt.Scale(domain=list(people), range=colours)


def _time_scale(result: SessionResult) -> alt.Scale:
    return alt.Scale(domain=[0, max(1.0, result.recording.duration)], nice=False)


def share_chart(result: SessionResult) -> alt.Chart:
    """Horizontal bars: each person's share of speaking time (silent attendees at 0 %)."""
    data = tables.share_table(result)
    people = tables.speaker_order(result)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("share (%):Q", title="share of speaking time (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("person:N", sort=people, title=None),
        color=alt.Color("person:N", scale=person_scale(people), legend=None),
        tooltip=["person", "speaking time (s)", "share (%)", "turns", "words", "silent attendee"],
    ).properties(height=AXIS_PX + ROW_PX * len(people))


def timeline_chart(result: SessionResult) -> alt.LayerChart:
    """Who spoke when (one row per person) with interruptions marked as black triangles."""
    people = tables.speaker_order(result)
    segments = tables.timeline_table(result)
    x = alt.X("start (s):Q", title="time (s)", scale=_time_scale(result))
    bars = alt.Chart(segments).mark_bar(height={"band": 0.7}).encode(
        x=x, x2="end (s):Q", y=alt.Y("person:N", sort=people, title=None),
        color=alt.Color("person:N", scale=person_scale(people), legend=None),
        tooltip=["person", "start (s)", "end (s)", "duration (s)"],
    )
    interruptions = tables.interruptions_table(result).rename(columns={"interrupter": "person"})
    marks = alt.Chart(interruptions).mark_point(shape="triangle-down", filled=True, size=90,
                                                color="black").encode(
        x="time (s):Q", y=alt.Y("person:N", sort=people),
        tooltip=["time", "person", "interrupted", "type", "overlap (s)"],
    )
    layers = [bars, marks] if not interruptions.empty else [bars]
    return alt.layer(*layers).properties(height=AXIS_PX + ROW_PX * len(people))


def window_strip_chart(result: SessionResult) -> alt.Chart:
    """One strip over time: the timeline windows, monologue / dialogue / many to many / silence."""
    data = tables.window_table(result)
    labels = list(WINDOW_COLOURS)
    return alt.Chart(data).mark_bar(binSpacing=0).encode(
        x=alt.X("from (s):Q", title="time (s)", scale=_time_scale(result)),
        x2="to (s):Q",
        color=alt.Color("window:N", scale=alt.Scale(domain=labels, range=[WINDOW_COLOURS[w] for w in labels]),
                        legend=alt.Legend(title=None)),
        tooltip=["window", "window start (s)", "window end (s)", "speakers"],
    ).properties(height=AXIS_PX + 70)


def matrix_grid(result: SessionResult, which: str = "interruptions") -> pd.DataFrame:
    """Every (from, to) pair of people with its count, zeros included, for a square heat map."""
    people = tables.speaker_order(result, include_silent=False)
    counts = {(r[0], r[1]): r[2] for r in tables.matrix_table(result, which).itertuples(index=False)}
    rows = [{"from": a, "to": b, "count": counts.get((a, b), 0)} for a in people for b in people if a != b]
    return pd.DataFrame(rows, columns=["from", "to", "count"])


def matrix_chart(result: SessionResult, which: str = "interruptions") -> alt.LayerChart:
    """A heat map of counts, rows = who interrupted (or spoke before), columns = who was interrupted."""
    people = tables.speaker_order(result, include_silent=False)
    data = matrix_grid(result, which)
    top = max(1, int(data["count"].max())) if not data.empty else 1
    title_from, title_to = (("interrupter", "interrupted") if which == "interruptions"
                            else ("spoke", "spoke next"))
    base = alt.Chart(data).encode(
        x=alt.X("to:N", sort=people, title=title_to, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("from:N", sort=people, title=title_from))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=[0, top]), title="count",
                        legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=["from", "to", "count"])
    labels = base.mark_text(fontSize=14).encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > top / 2, alt.value("white"), alt.value("black")))
    return alt.layer(cells, labels).properties(height=AXIS_PX + 2 * ROW_PX * len(people))


def network_layout(people: list[str]) -> pd.DataFrame:
    """Nodes on a circle, the first person at the top, going clockwise."""
    count = max(1, len(people))
    rows = [{"person": p, "x": math.sin(2 * math.pi * i / count), "y": math.cos(2 * math.pi * i / count)}
            for i, p in enumerate(people)]
    return pd.DataFrame(rows, columns=["person", "x", "y"])


def network_edges(result: SessionResult) -> pd.DataFrame:
    """Undirected edges of the transition network: both directions' counts on one line."""
    nodes = network_layout(tables.speaker_order(result)).set_index("person")
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in tables.matrix_table(result, "transitions").itertuples(index=False):
        a, b, n = row[0], row[1], row[2]
        if a == b or a not in nodes.index or b not in nodes.index:
            continue
        key = tuple(sorted((a, b)))
        counts.setdefault(key, {})[a] = n
    rows = []
    for (a, b), by_source in counts.items():
        forward, backward = by_source.get(a, 0), by_source.get(b, 0)
        for end, person in (("a", a), ("b", b)):
            rows.append({"edge": f"{a} ↔ {b}", "end": end, "x": nodes.at[person, "x"],
                         "y": nodes.at[person, "y"], "handovers": forward + backward,
                         "detail": f"{a} → {b}: {forward}, {b} → {a}: {backward}"})
    return pd.DataFrame(rows, columns=["edge", "end", "x", "y", "handovers", "detail"])


def network_chart(result: SessionResult) -> alt.LayerChart:
    """Turn-transition network: people as circles sized by share, lines as thick as their handovers."""
    people = tables.speaker_order(result)
    nodes = network_layout(people).merge(tables.share_table(result)[["person", "share (%)"]], on="person")
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    scale = alt.Scale(domain=[-1.4, 1.4])
    edges = alt.Chart(network_edges(result)).mark_line(color="#777777", opacity=0.7).encode(
        x=alt.X("x:Q", axis=axis, scale=scale), y=alt.Y("y:Q", axis=axis, scale=scale), detail="edge:N",
        strokeWidth=alt.StrokeWidth("handovers:Q", scale=alt.Scale(range=[1, 12]), legend=None),
        order="end:N", tooltip=["edge", "detail", "handovers"])
    circles = alt.Chart(nodes).mark_circle(opacity=1).encode(
        x=alt.X("x:Q", axis=axis, scale=scale), y=alt.Y("y:Q", axis=axis, scale=scale),
        size=alt.Size("share (%):Q", scale=alt.Scale(range=[200, 2500], domain=[0, 100]), legend=None),
        color=alt.Color("person:N", scale=person_scale(people), legend=None),
        tooltip=["person", "share (%)"])
    names = alt.Chart(nodes).mark_text(dy=-28, fontSize=13).encode(
        x=alt.X("x:Q", axis=axis, scale=scale), y=alt.Y("y:Q", axis=axis, scale=scale), text="person:N")
    return alt.layer(edges, circles, names).properties(height=360).configure_view(strokeWidth=0)


def directives_chart(result: SessionResult) -> alt.Chart:
    """Directives per person, stacked by category."""
    people = tables.speaker_order(result)
    data = tables.directives_table(result).groupby(["person", "category"], as_index=False).size()
    data = data.rename(columns={"size": "directives"})
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("directives:Q", title="directives", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("person:N", sort=people, title=None),
        color=alt.Color("category:N", scale=alt.Scale(range=list(OKABE_ITO)),
                        legend=alt.Legend(title=None)),
        tooltip=["person", "category", "directives"],
    ).properties(height=AXIS_PX + 50 + ROW_PX * len(people))


def questions_chart(result: SessionResult) -> alt.HConcatChart:
    """Questions asked per person, and each person's median response latency (gap before speaking)."""
    people = tables.speaker_order(result)
    data = tables.questions_table(result)
    colour = alt.Color("person:N", scale=person_scale(people), legend=None)
    questions = alt.Chart(data).mark_bar().encode(
        x=alt.X("questions:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("person:N", sort=people, title=None), color=colour,
        tooltip=["person", "questions"]).properties(title="questions asked", width=260,
                                                     height=ROW_PX * len(people))
    latency = alt.Chart(data.dropna(subset=["median gap before speaking (s)"])).mark_bar().encode(
        x=alt.X("median gap before speaking (s):Q"), y=alt.Y("person:N", sort=people, title=None), color=colour,
        tooltip=["person", "median gap before speaking (s)"]).properties(
            title="median gap before speaking (s)", width=260,
                                                                         height=ROW_PX * len(people))
    return alt.hconcat(questions, latency)
