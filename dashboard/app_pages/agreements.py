"""Agreements: the goals a group sets for how it shares the floor, versioned by the day they apply from."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analyzer.core.errors import AnalyzerError
from analyzer.metrics import agreements as ag
from analyzer.metrics.agreement_words import goal_text, value_text
from dashboard import data

# How each goal's target is typed in: (label, unit shown, from stored to typed, from typed to stored, step)
FIELDS = {
    ag.MAX_SHARE: ("No one above this share of the speech", "%", lambda v: v * 100, lambda v: v / 100, 1.0),
    ag.MIN_SHARE: ("Everyone has at least this share of the speech", "%", lambda v: v * 100, lambda v: v / 100,
                   1.0),
    ag.MAX_MONOLOGUE: ("No one speaks longer than this at a stretch", "minutes", lambda v: v / 60,
                       lambda v: v * 60, 0.5),
    ag.MAX_INTERRUPTIONS: ("At most this many interruptions that take the floor", "per hour", lambda v: v,
                           lambda v: v, 5.0),
    ag.MIN_MANY_TO_MANY: ("Three or more people taking part for at least this share of the meeting", "%",
                          lambda v: v * 100, lambda v: v / 100, 5.0),
}

st.title("Group agreements")
st.write("A group can agree on a few goals for how it shares the floor. Every session report then opens "
         "with them: kept or not, by how much, and what moved since the last meeting. Changing them makes a "
         "new version; earlier meetings keep the goals that were in force at the time.")
groups = data.list_groups()
if not groups:
    st.info("No groups yet. Analyse a recording for a group first, or create one on the Analyse page.")
    st.stop()
wanted = st.query_params.get("group")
group = st.selectbox("Group", groups, index=groups.index(wanted) if wanted in groups else 0,
                     key="agreements_group")
versions = data.goal_versions(group)
latest = max(versions, key=lambda v: (v.valid_from, v.version), default=None)

if latest is None:
    st.info(f"**{group}** has no agreements yet. Below is Floorshare's starting set, with the reason for "
            "each; change what the group wants and save.")
else:
    st.success(f"**{group}**: version {latest.version}, in force for meetings from {latest.valid_from}.")
base = {g.kind: g.target for g in (latest.goals if latest else ag.STARTING_GOALS)}
starting = {g.kind: g.target for g in ag.STARTING_GOALS}

with st.form(f"agreements_form_{group}"):
    chosen: dict[str, float | None] = {}
    for kind, (label, unit, shown, _stored, step) in FIELDS.items():
        on_col, value_col = st.columns([3, 2])
        on = on_col.checkbox(label, value=kind in base, key=f"goal_on_{kind}", help=ag.REASONS[kind])
        value = value_col.number_input(unit, value=float(shown(base.get(kind, starting[kind]))), step=step,
                                       min_value=0.0, key=f"goal_value_{kind}")
        chosen[kind] = value if on else None
    valid_from = st.date_input("In force for meetings from", value=date.today(), format="YYYY-MM-DD",
                               key="goal_valid_from", help="Earlier meetings keep the agreements in force then. "
                                                           "Pick an earlier day to judge past meetings by these.")
    saved = st.form_submit_button("Save as the group's agreements", type="primary")

if saved:
    try:
        goals = tuple(ag.Goal(kind, FIELDS[kind][3](value)) for kind, value in chosen.items() if value is not None)
        version = data.set_goals(group, goals, valid_from=valid_from.isoformat())
    except AnalyzerError as exc:
        st.error(str(exc))
    else:
        st.toast(f"Saved version {version.version} of {group}'s agreements.")
        st.rerun()

st.subheader("Why these goals")
st.dataframe(pd.DataFrame([{"goal": goal_text(g), "starting target": value_text(g.kind, g.target),
                            "why": ag.REASONS[g.kind]} for g in ag.STARTING_GOALS]),
             hide_index=True, width="stretch", key="agreements_reasons",
             column_config={"why": st.column_config.TextColumn("why", width="large")})
if versions:
    st.subheader("Versions")
    st.dataframe(pd.DataFrame([{"version": v.version, "in force from": v.valid_from,
                                "goals": "; ".join(goal_text(g) for g in v.goals) or "(none)"}
                               for v in reversed(versions)]),
                 hide_index=True, width="stretch", key="agreements_versions")
