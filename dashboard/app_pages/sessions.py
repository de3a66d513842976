"""Sessions: every stored session, filtered by group, date and verdict; open or delete one."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analyzer.core.errors import AnalyzerError
from analyzer.formats.names import format_clock
from dashboard import data, widgets, wording

st.title("Sessions")
summaries = data.list_sessions()
if not summaries:
    st.info("No sessions yet. Analyse a recording and it will be listed here.")
    st.page_link("app_pages/analyse.py", label="Analyse a recording", icon=":material/upload_file:")
    st.stop()

days = [date.fromisoformat(s.recorded_at[:10]) for s in summaries]
verdicts = sorted({s.verdict for s in summaries if s.verdict})
left, middle, right = st.columns(3)
group = left.selectbox("Group", ["All groups", *data.list_groups()], key="sessions_group")
period = middle.date_input("Recorded between", value=(min(days), max(days)))  # no key: follows new sessions
chosen_verdicts = right.multiselect("Verdict", verdicts, format_func=wording.verdict_title,
                                    key="sessions_verdicts", placeholder="any verdict")

start, end = (period[0], period[-1]) if isinstance(period, (tuple, list)) and period else (min(days), max(days))
shown = [s for s, day in zip(summaries, days)
         if (group == "All groups" or s.group == group) and start <= day <= end
         and (not chosen_verdicts or s.verdict in chosen_verdicts)]
shown.reverse()  # newest first

table = pd.DataFrame([{"id": s.id, "title": s.title, "group": s.group,
                       "recorded": s.recorded_at[:16].replace("T", " "),
                       "length": format_clock(s.duration), "speakers": s.num_speakers,
                       "verdict": wording.verdict_title(s.verdict)} for s in shown],
                     columns=["id", "title", "group", "recorded", "length", "speakers", "verdict"])
st.caption(f"{len(shown)} of {len(summaries)} sessions. Select a row to open or delete it.")
picked = st.dataframe(table, hide_index=True, width="stretch", key="sessions_table", on_select="rerun",
                      selection_mode="single-row")
rows = picked.selection.rows if hasattr(picked, "selection") else []
options = {s.id: f"{s.title} ({s.group}, {s.recorded_at[:10]}, session {s.id})" for s in shown}
if not options:
    st.stop()
if rows:
    st.session_state["sessions_selected"] = int(table.iloc[rows[0]]["id"])
if st.session_state.get("sessions_selected") not in options:
    st.session_state.pop("sessions_selected", None)
session_id = st.selectbox("Session", list(options), format_func=options.get, key="sessions_selected")

open_col, delete_col = st.columns(2)
if open_col.button("Open the report", type="primary", icon=":material/insights:", key="sessions_open"):
    widgets.open_report(session_id)

pending = st.session_state.get("sessions_confirm_delete")
if delete_col.button("Delete…", icon=":material/delete:", key="sessions_delete"):
    st.session_state["sessions_confirm_delete"] = pending = session_id
if pending is not None and pending in options:
    with st.container(border=True):
        st.warning(f"Delete **{options[pending]}**? Its results, transcript, names given in it and any kept "
                   "audio are removed for good.", icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", type="primary", key="sessions_delete_yes"):
            try:
                data.delete_session(pending)
            except AnalyzerError as exc:
                st.error(str(exc))
            else:
                st.session_state["sessions_confirm_delete"] = None
                st.toast(f"Deleted session {pending}.")
                st.rerun()
        if no.button("Keep it", key="sessions_delete_no"):
            st.session_state["sessions_confirm_delete"] = None
            st.rerun()
