"""Feedback: one screen for the whole group at the end of a meeting (projector, or printed on one page)."""

from __future__ import annotations

import streamlit as st

from analyzer.core.errors import AnalyzerError
from dashboard import data, feedback_view, widgets

st.set_page_config(initial_sidebar_state="collapsed")  # opened on a projector: the whole width for the group
value = st.query_params.get(widgets.SESSION_PARAM)
session_id = int(value) if value and str(value).isdigit() else st.session_state.get("report_session")
if session_id is None:
    summaries = data.list_sessions()
    if not summaries:
        st.info("No sessions yet. Analyse a recording first; its feedback can then be shown here.")
        st.stop()
    session_id = summaries[-1].id  # the latest meeting
try:
    result = data.load_session(session_id)
    summary = data.store().summary(session_id)
    agreements = data.session_agreements(session_id)
except AnalyzerError as exc:
    st.error(str(exc))
    st.stop()

st.html(feedback_view.render(result, agreements, title=summary.title, day=summary.recorded_at[:10]))
st.caption("Show this page to the group on a projector, or print it (Ctrl+P): it fits one landscape page.")
st.page_link(widgets.REPORT_PAGE, label="Back to the full report", icon=":material/insights:",
             query_params={widgets.SESSION_PARAM: str(session_id)})
