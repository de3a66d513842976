"""Analyse: upload recordings, choose the group and options, follow each analysis live."""

from __future__ import annotations

from datetime import date, datetime, timezone

import streamlit as st

from analyzer.core.config import AnalysisConfig, parse_attendees
from analyzer.core.errors import AnalyzerError
from dashboard import data, jobs, uploads, widgets

DEFAULT_GROUP = "default"

st.title("Analyse a recording")
st.write("Upload one or more recordings of a meeting. Floorshare finds who spoke when, transcribes the "
         "words and measures how the floor was shared. Everything runs on this machine.")

groups = data.list_groups()
with st.form("analyse_form", clear_on_submit=True):
    files = st.file_uploader("Recordings", accept_multiple_files=True,
                             help=f"wav, mp3, m4a, ogg, flac, webm or mp4; up to {uploads.UPLOAD_LIMIT_MB} MB "
                                  "each. The content is checked, not the file name.")
    left, right = st.columns(2)
    group_choice = left.selectbox("Group", groups or [DEFAULT_GROUP],
                                  help="Sessions of the same group are compared in Trends.")
    new_group = left.text_input("…or a new group", placeholder="e.g. Monday team meeting",
                                help="When filled in, the recording goes to this new group.")
    title = right.text_input("Session title (optional)", placeholder="the file name when empty")
    meeting_day = right.date_input("Meeting date", value=None, max_value=date.today(), format="YYYY-MM-DD",
                                   help="Leave empty to take the date from the recording: its metadata (when "
                                        "the phone or recorder wrote one), else a date in the file name "
                                        "(2026-03-14, 20260314, 14.03.2026), else the upload day. The date can "
                                        "be corrected later on the report.")
    with st.expander("Speakers and attendees (optional)"):
        num_speakers = st.number_input("Number of speakers, if known", min_value=0, max_value=30, value=0,
                                       help="0: let Floorshare find out.")
        attendees = st.text_input("Attendees", placeholder="Ana, Ben, Chloe  — or a number such as 5",
                                  help="Everyone who was there, including those who did not speak, so "
                                       "that silent attendees count in the balance. Voices are not matched "
                                       "to these names: you name the speakers on the report.")
    keep_audio = st.checkbox("Keep the audio so that turns can be played back", value=False,
                             help="Off: only the results are stored and the upload is deleted after the "
                                  "analysis. On: a copy is kept next to the database and deleted with the "
                                  "session.")
    submitted = st.form_submit_button("Analyse", type="primary")


def _recorded_at(day: date | None) -> str | None:
    """The date typed in (None: each recording's own date, chosen when it is stored)."""
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).isoformat(timespec="seconds")


def _title(name: str, count: int) -> str:
    """The title typed in (followed by the file's name when several files share it), else the file's name."""
    given, from_file = title.strip(), uploads.title_from_name(name)
    if not given:
        return from_file
    return f"{given}: {from_file}" if count > 1 else given


def _submit() -> None:
    group = new_group.strip() or group_choice
    try:
        config = AnalysisConfig().with_updates(
            diarization={"num_speakers": int(num_speakers) or None},
            metrics={"attendees": parse_attendees(attendees)})
    except AnalyzerError as exc:
        st.error(str(exc).replace("--attendees", "Attendees"))
        return
    if not files:
        st.warning("Choose at least one recording to analyse.")
        return
    data.create_group(group)
    queue = jobs.job_queue()
    for file in files:
        try:
            staged = uploads.stage_upload(file, file.name, file.size)
        except AnalyzerError as exc:
            st.error(str(exc))
            continue
        job = queue.submit(staged, store=data.store(), group=group, title=_title(staged.name, len(files)),
                           config=config, keep_audio=keep_audio, recorded_at=_recorded_at(meeting_day))
        st.session_state.setdefault("analyse_my_jobs", []).append(job.id)
        st.session_state["analyse_opened"] = False


if submitted:
    _submit()


@st.fragment(run_every=1.0)
def job_board() -> None:
    """Every analysis of this server: queued, running with per-stage progress, done or failed."""
    queue = jobs.job_queue()
    mine = set(st.session_state.get("analyse_my_jobs", []))
    board = [job for job in reversed(queue.jobs()) if job.id in mine or not job.finished]
    if not board:
        return
    st.subheader("Analyses")
    for job in board:
        widgets.job_status(job, queue.position(job), own=job.id in mine)
    _open_report_when_done(queue, mine)


def _open_report_when_done(queue: jobs.JobQueue, mine: set[int]) -> None:
    own = [job for job in (queue.get(i) for i in sorted(mine)) if job is not None]
    if not own or st.session_state.get("analyse_opened") or not all(j.finished for j in own):
        return
    st.session_state["analyse_opened"] = True
    done = [j for j in own if j.status == jobs.DONE]
    if done:
        widgets.open_report(done[-1].session_id)


job_board()
