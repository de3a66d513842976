"""Trends: how a group shares the floor from one meeting to the next."""

from __future__ import annotations

import streamlit as st

from analyzer.core.errors import AnalyzerError
from dashboard import data, trend_charts, widgets

st.title("Trends")
groups = data.list_groups()
if not groups:
    st.info("No groups yet. Analyse a recording for a group and its trends will show here.")
    st.stop()
group = st.selectbox("Group", groups, key="trends_group")
try:
    trends = data.group_trends(group)
except AnalyzerError as exc:
    st.error(str(exc))
    st.stop()
if not trends.sessions:
    st.info(f"The group {group} has no sessions yet.")
    st.stop()
st.caption(f"{len(trends.sessions)} sessions of {group}, oldest first. These are estimates from audio; "
           "a change between two meetings can come from the recording as much as from the meeting.")

st.subheader("Verdicts")
sessions = trend_charts.sessions_table(trends)
widgets.chart_with_numbers(lambda: trend_charts.verdict_chart(trends), sessions, key="trend_verdicts",
                           empty="No sessions.")
st.subheader("Balance of the group")
st.caption("Balance: 1 when everyone spoke equally. Largest share: the share of the person who spoke most. "
           "Hub share: handovers that involve the most connected person. Reciprocity: handovers answered "
           "in the other direction.")
widgets.chart_with_numbers(lambda: trend_charts.indices_chart(trends), sessions, key="trend_indices",
                           empty="No session has metrics.")

st.subheader("Our agreements over time")
points = data.agreement_trend(group)
agreed = trend_charts.agreements_table(points)
if agreed.empty:
    st.caption("No agreements were in force at these meetings. Set them on the Agreements page; each "
               "session is judged by the agreements in force at its meeting date.")
    st.page_link("app_pages/agreements.py", label="Set the group's agreements", icon=":material/handshake:",
                 query_params={"group": group})
else:
    st.caption("Each goal at each meeting: the measure (green: kept, orange: not kept) and the target in "
               "force at that meeting (dashed).")
    widgets.chart_with_numbers(lambda: trend_charts.agreements_chart(points),
                               agreed.drop(columns=["kind"]), key="trend_agreements", empty="No agreements.")

people = trend_charts.people_table(trends)
st.subheader("Each person over time")
if people.empty:
    st.info("People appear here once speakers are named in their session reports "
            "(the same label is not the same person from one recording to the next).")
    st.stop()
for column, title in (("share (%)", "share of speech (%)"), ("interruptions made", "interruptions made"),
                      ("directives", "directives")):
    st.markdown(f"**{title.capitalize()}**")
    widgets.chart_with_numbers(lambda: trend_charts.person_chart(trends, column, title), people,
                               key=f"trend_{column}", empty="No numbers.")
