"""A group's trends (:class:`analyzer.storage.GroupTrends`) as tables and Altair charts. Pure.

Sessions are placed on a time axis at their meeting date (``recorded_at``, see
:mod:`analyzer.core.dates`), so a gap of a month between two meetings looks like one; each point is
labelled with the date and the session id in its tooltip and in the tables.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import OKABE_ITO, person_scale
from dashboard.wording import verdict_title

INDEX_COLUMNS = {"balance": "entropy_norm", "largest share": "largest_share", "hub share": "hub_share",
                 "reciprocity": "reciprocity"}
VERDICT_COLOURS = {"One to many": "#D55E00", "Hub and spoke": "#E69F00", "Many to many": "#009E73",
                   "No speech found": "#BBBBBB"}


def session_label(session_id: int, recorded_at: str) -> str:
    return f"{recorded_at[:10]} #{session_id}"


def meeting_time(recorded_at: str) -> pd.Timestamp:
    """A stored meeting date (ISO 8601) as a UTC timestamp for the time axis."""
    return pd.to_datetime(recorded_at, utc=True)


def sessions_table(trends) -> pd.DataFrame:  # noqa: ANN001 - GroupTrends
    """One row per session: date, title, verdict and the group's balance indices."""
    rows = []
    for s in trends.sessions:
        g = s.indices
        rows.append({
            "session": session_label(s.session_id, s.recorded_at), "meeting date": meeting_time(s.recorded_at),
            "id": s.session_id, "title": s.title,
            "verdict": verdict_title(s.verdict) or "no metrics",
            "balance": None if g is None else round(g.entropy_norm, 3),
            "largest share": None if g is None else round(g.largest_share, 3),
            "effective speakers": None if g is None else round(g.effective_speakers, 2),
            "hub share": None if g is None else round(g.hub_share, 3),
            "reciprocity": None if g is None else round(g.reciprocity, 3),
            "speaker changes per minute": None if g is None else round(g.speaker_changes_per_minute, 2),
        })
    return pd.DataFrame(rows, columns=["session", "meeting date", "id", "title", "verdict", "balance", "largest share",
                                       "effective speakers", "hub share", "reciprocity",
                                       "speaker changes per minute"])


def people_table(trends) -> pd.DataFrame:  # noqa: ANN001 - GroupTrends
    """One row per named person and session: share, time, turns, interruptions and directives."""
    rows = []
    for person in trends.people:
        for p in person.points:
            rows.append({
                "person": person.name, "session": session_label(p.session_id, p.recorded_at),
                "meeting date": meeting_time(p.recorded_at),
                "share (%)": None if p.share is None else round(100 * p.share, 1),
                "speaking time (s)": None if p.speaking_time is None else round(p.speaking_time, 1),
                "turns": p.turns, "interruptions made": p.interruptions_made,
                "interruptions received": p.interruptions_received, "directives": p.directives,
            })
    return pd.DataFrame(rows, columns=["person", "session", "meeting date", "share (%)", "speaking time (s)", "turns",
                                       "interruptions made", "interruptions received", "directives"])


def session_axis(trends) -> alt.X:  # noqa: ANN001 - GroupTrends
    """Sessions along a time axis at their meeting dates (spaced as the meetings were)."""
    return alt.X("meeting date:T", title="meeting date", axis=alt.Axis(format="%Y-%m-%d", labelAngle=-30))


def session_order(trends) -> list[str]:  # noqa: ANN001 - GroupTrends
    return [session_label(s.session_id, s.recorded_at) for s in trends.sessions]


def indices_chart(trends) -> alt.Chart:  # noqa: ANN001 - GroupTrends
    """Balance, largest share, hub share and reciprocity (each 0..1) over the sessions."""
    table = sessions_table(trends).melt(id_vars=["session", "meeting date", "title"], value_vars=list(INDEX_COLUMNS),
                                        var_name="index", value_name="value").dropna(subset=["value"])
    names = list(INDEX_COLUMNS)
    return alt.Chart(table).mark_line(point=alt.OverlayMarkDef(filled=True, size=70)).encode(
        x=session_axis(trends),
        y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), title=None),
        color=alt.Color("index:N", scale=alt.Scale(domain=names, range=list(OKABE_ITO[:len(names)])),
                        legend=alt.Legend(title=None)),
        strokeDash=alt.StrokeDash("index:N", legend=None),
        tooltip=["session", "title", "index", "value"],
    ).properties(height=320)


def verdict_chart(trends) -> alt.Chart:  # noqa: ANN001 - GroupTrends
    """The verdict of each session as a coloured, labelled mark at its meeting date."""
    table = sessions_table(trends)
    verdicts = list(VERDICT_COLOURS)
    base = alt.Chart(table).encode(x=session_axis(trends))
    tiles = base.mark_square(size=500, opacity=0.9).encode(
        color=alt.Color("verdict:N", scale=alt.Scale(domain=verdicts, range=list(VERDICT_COLOURS.values())),
                        legend=alt.Legend(title=None)),
        tooltip=["session", "title", "verdict"])
    text = base.mark_text(fontSize=11, color="black", dy=-22).encode(text="verdict:N")
    return alt.layer(tiles, text).properties(height=150)


def person_chart(trends, column: str, title: str) -> alt.Chart:  # noqa: ANN001 - GroupTrends
    """One line per named person of ``column`` (a column of :func:`people_table`) over the sessions."""
    table = people_table(trends).dropna(subset=[column])
    people = sorted(table["person"].unique().tolist())
    return alt.Chart(table).mark_line(point=alt.OverlayMarkDef(filled=True, size=70)).encode(
        x=session_axis(trends),
        y=alt.Y(f"{column}:Q", title=title),
        color=alt.Color("person:N", scale=person_scale(people), legend=alt.Legend(title=None)),
        tooltip=["person", "session", column],
    ).properties(height=280)


def _display(kind: str, value: float | None) -> float | None:
    """A goal's measure or target in the unit the page shows: % for shares, minutes, per hour."""
    from analyzer.metrics import agreements as ag

    if value is None:
        return None
    if kind in (ag.MAX_SHARE, ag.MIN_SHARE, ag.MIN_MANY_TO_MANY):
        return round(100 * value, 1)
    if kind == ag.MAX_MONOLOGUE:
        return round(value / 60, 2)
    return round(value, 1)


UNITS = {"max_share": "%", "min_share": "%", "max_monologue_s": "minutes",
         "max_interruptions_per_hour": "per hour", "min_many_to_many_share": "%"}


def agreements_table(points) -> pd.DataFrame:  # noqa: ANN001 - list of storage AgreementPoint
    """One row per session and goal in force at it: the measure, the target and whether it was kept."""
    from analyzer.metrics.agreement_words import goal_text
    from analyzer.metrics.agreements import MAX_INTERRUPTIONS, MAX_MONOLOGUE, MAX_SHARE

    rows = []
    for p in points:
        for c in p.checks:
            rows.append({
                "session": session_label(p.session_id, p.recorded_at), "meeting date": meeting_time(p.recorded_at),
                "title": p.title, "goal": goal_text(c.goal), "kind": c.goal.kind, "unit": UNITS[c.goal.kind],
                "measured": _display(c.goal.kind, c.measured), "target": _display(c.goal.kind, c.goal.target),
                "limit": "at most" if c.goal.kind in (MAX_SHARE, MAX_MONOLOGUE, MAX_INTERRUPTIONS) else "at least",
                "kept": {True: "kept", False: "not kept", None: "not measured"}[c.kept], "version": p.version,
            })
    return pd.DataFrame(rows, columns=["session", "meeting date", "title", "goal", "kind", "unit", "measured",
                                       "target", "limit", "kept", "version"])


def agreements_chart(points) -> alt.FacetChart:  # noqa: ANN001 - list of storage AgreementPoint
    """Each goal over the sessions: the measure (a point, green when kept) and the target in force (a step)."""
    table = agreements_table(points)
    base = alt.Chart(table).encode(x=alt.X("meeting date:T", title=None, axis=alt.Axis(format="%Y-%m-%d")))
    target = base.mark_line(interpolate="step-after", strokeDash=[6, 4], color="#666666").encode(
        y=alt.Y("target:Q", title=None), tooltip=["goal", "limit", "target", "unit", "version"])
    measured = base.mark_line(point=alt.OverlayMarkDef(filled=True, size=90), color="#0072B2").encode(
        y="measured:Q", tooltip=["session", "title", "goal", "measured", "unit", "kept"])
    kept = base.mark_point(filled=True, size=120).encode(
        y="measured:Q", color=alt.Color("kept:N", scale=alt.Scale(domain=["kept", "not kept", "not measured"],
                                                                 range=["#009E73", "#D55E00", "#BBBBBB"]),
                                       legend=alt.Legend(title=None)),
        tooltip=["session", "title", "goal", "measured", "target", "unit", "kept"])
    return alt.layer(target, measured, kept).properties(height=130, width="container").facet(
        row=alt.Row("goal:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=12)),
    ).resolve_scale(y="independent")
