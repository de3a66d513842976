"""Session report: the verdict, how the floor was shared, and the transcript, for the group to read."""

from __future__ import annotations

import streamlit as st

from analyzer.core.dates import SOURCE_WORDS
from analyzer.core.errors import AnalyzerError
from analyzer.formats.names import format_clock
from dashboard import charts, data, report_parts, tables, voice_parts, widgets, wording


def selected_session() -> int | None:
    """The session in the URL (``?session=ID``), else the one chosen in this browser session."""
    value = st.query_params.get(widgets.SESSION_PARAM)
    if value and str(value).isdigit():
        return int(value)
    return st.session_state.get("report_session")


def choose_session() -> int | None:
    summaries = data.list_sessions()
    if not summaries:
        st.info("No sessions yet. Analyse a recording first.")
        st.page_link("app_pages/analyse.py", label="Analyse a recording", icon=":material/upload_file:")
        return None
    labels = {s.id: f"{s.title} ({s.group}, {s.recorded_at[:10]})" for s in reversed(summaries)}
    chosen = st.selectbox("Session", list(labels), format_func=labels.get, index=None,
                          placeholder="Choose a session")
    if chosen is not None:
        st.query_params[widgets.SESSION_PARAM] = str(chosen)
    return chosen


st.title("Session report")
session_id = selected_session()
if session_id is None:
    session_id = choose_session()
    if session_id is None:
        st.stop()
try:
    result = data.load_session(session_id)
    summary = data.store().summary(session_id)
except AnalyzerError as exc:
    st.error(str(exc))
    st.stop()
st.session_state["report_session"] = session_id

st.header(summary.title)
speakers = result.metrics.speakers if result.metrics else ()
silent = sum(1 for s in speakers if s.silent_attendee)
attendees = f" and {silent} silent attendee{'s' if silent > 1 else ''}" if silent else ""
dated = f" ({SOURCE_WORDS[summary.date_source]})" if summary.date_source in SOURCE_WORDS else ""
st.caption(f"Group **{summary.group}** · {summary.recorded_at[:10]}{dated} · "
           f"{format_clock(result.recording.duration)} · {len(speakers) - silent} speakers{attendees} · "
           f"session {session_id}")
st.info(wording.ESTIMATES_NOTE, icon=":material/info:")

report_parts.agreements(result, session_id, summary.group)
report_parts.verdict(result)

st.subheader("Speaking share")
st.caption("Share of all speech that could be attributed to someone; silent attendees are listed at 0 %.")
report_parts.speaker_doubts(result)
voice_parts.doubt_fixes(result, session_id)
widgets.chart_with_numbers(lambda: charts.share_chart(result), tables.share_table(result),
                           key="share", empty="No speech was attributed to anyone.")

st.subheader("Who spoke when")
st.caption("Each bar is a stretch of speech; ▼ marks an interruption by that person (hover for details).")
widgets.chart_with_numbers(lambda: charts.timeline_chart(result), tables.timeline_table(result),
                           key="timeline", empty="No speech found.")

st.subheader("How the conversation ran over time")
st.caption(wording.WINDOW_EXPLANATION)
widgets.chart_with_numbers(lambda: charts.window_strip_chart(result), tables.window_table(result),
                           key="windows", empty="The recording is too short to label stretches of it.")

report_parts.interruptions(result)
report_parts.voice(result)
report_parts.network(result)
report_parts.directives(result)
report_parts.questions(result)
report_parts.transcript(result, session_id)
voice_parts.matches(result, session_id, summary.group)
report_parts.rename(result, session_id)
voice_parts.corrections(result, session_id)
report_parts.edit_details(summary)
report_parts.downloads(result, summary)
