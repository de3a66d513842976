"""Small rendering helpers shared by the pages (no analysis logic)."""

from __future__ import annotations

from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st

from analyzer.core.dates import GIVEN, MeetingDate
from analyzer.formats.names import format_clock
from dashboard import jobs

REPORT_PAGE = "app_pages/report.py"
SESSION_PARAM = "session"


def open_report(session_id: int) -> None:
    """Go to the report of a session (its id stays in the URL, so a reload keeps it)."""
    st.switch_page(REPORT_PAGE, query_params={SESSION_PARAM: str(session_id)})


def chart_with_numbers(chart: Callable[[], alt.TopLevelMixin], table: pd.DataFrame, *, key: str,
                       empty: str) -> None:
    """A chart (built only when there is data), and the same numbers as a table in an expander underneath."""
    if table.empty:
        st.caption(empty)
        return
    st.altair_chart(chart(), width="stretch")
    with st.expander("Numbers as a table"):
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}_table")


def job_status(job: jobs.Job, position: int, *, own: bool) -> None:
    """One analysis: its state, per-stage progress while running, the outcome when finished.

    Other people's uploads are shown without their file names (only that they run or wait).
    """
    label = f"**{job.name}**" if own else "Someone else's recording"
    if job.status == jobs.QUEUED:
        state = (f"waiting, {position} ahead of it. One recording is analysed at a time." if position
                 else "starting…")
        st.info(f"{label}: {state}", icon=":material/hourglass_empty:")
    elif job.status == jobs.FAILED:
        st.error(job.error, icon=":material/error:")  # the message starts with the file's name
    elif job.status == jobs.DONE:
        _done(job)
    else:
        _running(job, label)


def _done(job: jobs.Job) -> None:
    took = f" in {format_clock((job.finished_at or 0) - (job.started_at or 0))}" if job.started_at else ""
    note = " It had been analysed before with the same settings." if job.already_stored else ""
    if job.recorded_at and not job.already_stored:
        note += f" Meeting date: {MeetingDate(job.recorded_at, job.date_source or GIVEN).describe()}."
    st.success(f"**{job.name}** is ready{took}.{note}", icon=":material/check_circle:")
    st.page_link(REPORT_PAGE, label=f"Open the report of {job.title}", icon=":material/insights:",
                 query_params={SESSION_PARAM: str(job.session_id)})


def _running(job: jobs.Job, label: str) -> None:
    with st.container(border=True):
        st.markdown(f"{label}: {job.status}…")
        if job.status == jobs.LOADING:
            st.caption("The first analysis after the dashboard starts loads the speech models; later ones "
                       "start at once.")
        for stage, fraction in job.stage_fractions():
            label = f"{stage}: {'done' if fraction >= 1 else f'{fraction:.0%}'}"
            st.progress(fraction, text=label)
