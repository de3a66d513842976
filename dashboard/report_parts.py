"""Sections of the session report page (rendering only; numbers come from the stored result)."""

from __future__ import annotations

import mimetypes
from datetime import date

import streamlit as st

from analyzer.core.dates import parse_given_date
from analyzer.core.errors import AnalyzerError
from analyzer.core.schema import SessionResult
from analyzer.formats.exports import EXPORT_FORMATS, EXTENSIONS
from analyzer.formats.names import display_name, with_names
from dashboard import charts, data, tables, widgets, wording

EXPORT_LABELS = {"json": "JSON (everything)", "csv": "CSV, one row per person",
                 "csv-turns": "CSV, one row per turn", "csv-raised": "CSV, one row per raised-voice moment", "rttm": "RTTM (who spoke when)", "srt": "SRT subtitles",
                 "vtt": "WebVTT subtitles", "md": "Markdown", "txt": "Plain-text transcript"}
MIME_TYPES = {"json": "application/json", "csv": "text/csv", "srt": "application/x-subrip", "vtt": "text/vtt",
              "md": "text/markdown", "html": "text/html"}


AGREEMENTS_PAGE = "app_pages/agreements.py"
FEEDBACK_PAGE = "app_pages/feedback.py"


def agreements(result: SessionResult, session_id: int, group: str) -> None:
    """The report opens with the group's agreements: kept or not, by how much, what moved since last time."""
    from analyzer.metrics.agreement_words import agreement_lines, summary_line

    found = data.session_agreements(session_id)
    with st.container(border=True):
        st.subheader("Our agreements")
        st.markdown(summary_line(found))
        for check, (goal, outcome, moved) in zip(found.checks, agreement_lines(
                found, lambda label: display_name(result, label))):
            icon = ":green[✓]" if check.kept else (":red[✗]" if check.kept is False else "–")
            st.markdown(f"{icon} **{goal}**: {outcome}")
            if moved:
                st.caption(moved[0].upper() + moved[1:] + ".")
        left, right = st.columns(2)
        left.page_link(AGREEMENTS_PAGE, label="Set or change the group's agreements", icon=":material/handshake:",
                       query_params={"group": group})
        right.page_link(FEEDBACK_PAGE, label="Show the feedback to the group (projector, print)",
                        icon=":material/co_present:", query_params={widgets.SESSION_PARAM: str(session_id)})


def speaker_doubts(result: SessionResult) -> None:
    """A warning beside the shares when the diarization may have merged or split people."""
    from analyzer.metrics.confidence import count_note, speaker_doubts as doubts

    note = count_note(result)
    if note:
        st.warning(note + "\n\n" + "\n".join(f"- {d}" for d in doubts(result).values()), icon=":material/warning:")


def verdict(result: SessionResult) -> None:
    """The verdict in plain words with the reasons behind it."""
    if result.metrics is None:
        st.warning("This session has no metrics (it was stored without them).")
        return
    title, sentence = wording.verdict_headline(result.metrics.verdict.label)
    with st.container(border=True):
        st.markdown(f"### {title}")
        if sentence:
            st.markdown(sentence)
        for reason in result.metrics.verdict.reasons:
            st.markdown(f"- {with_names(result, reason)}")
    with st.expander("Balance indices of the whole group"):
        st.dataframe(tables.group_indices_table(result), hide_index=True, width="stretch", key="indices_table")


def interruptions(result: SessionResult) -> None:
    st.subheader("Interruptions")
    st.caption("Rows: who started speaking while someone else held the floor; columns: who was interrupted. "
               "Types: successful (took the floor), unsuccessful (the other kept it), cooperative (at the end "
               "of a sentence), silent (no overlap, but before the other had finished).")
    widgets.chart_with_numbers(lambda: charts.matrix_chart(result, "interruptions"),
                               tables.interruptions_table(result), key="interruptions",
                               empty="No interruptions were found.")


def voice(result: SessionResult) -> None:
    """How people sound: energy share, loudness, pitch, pace; raised-voice moments and heated stretches."""
    import pandas as pd

    from analyzer.formats.names import format_clock, removed_notice, voice_cells


    measured = result.metrics.voice if result.metrics else None
    if measured is None:
        notice = removed_notice(result)  # a correction removed them: say why, where they were
        if notice:
            st.subheader("How people sound")
            st.info(f"{notice[0].upper()}{notice[1:]}.", icon=":material/info:")
        return
    st.subheader("How people sound")
    st.caption("From each person's own speech only (overlaps left out). Loudness is relative to the person's "
               "own median, so the distance to the phone cancels out; a soft voice is not a lack of power, and "
               "a loud room hides level changes.")
    rows = []
    for v in measured.speakers:
        cells = voice_cells(v)
        rows.append({"person": display_name(result, v.speaker), "energy share": cells["energy_share"],
                     "loudest 10 % above own median": cells["loud_p90"], "pitch median": cells["pitch"],
                     "pitch range": cells["pitch_range"], "pace": cells["pace"], "raised voices": v.raised_moments})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="voice_table")
    if measured.raised:
        st.markdown("**Raised voices**")
        st.dataframe(pd.DataFrame([{"time": format_clock(m.start), "person": display_name(result, m.speaker),
                                    "above own median": f"+{m.above_db:.0f} dB",
                                    "seconds": round(m.end - m.start, 1), "said": m.quote}
                                   for m in measured.raised]), hide_index=True, width="stretch", key="raised_table")
    else:
        st.caption("Nobody raised their voice (6 dB above their own median for a second or more).")
    for h in measured.heated:
        names = ", ".join(display_name(result, p) for p in h.speakers)
        st.markdown(f"- Heated {format_clock(h.start)}-{format_clock(h.end)}: {h.raised} raised voice(s), "
                    f"{h.interruptions} interruption(s), {h.changes_per_minute:.0f} floor changes per minute ({names})")


def network(result: SessionResult) -> None:
    st.subheader("Who spoke after whom")
    st.caption("Circles are people (larger: more speaking time); a line is as thick as the number of times "
               "the floor passed between those two people, in either direction.")
    widgets.chart_with_numbers(lambda: charts.network_chart(result), tables.matrix_table(result, "transitions"),
                               key="transitions", empty="The floor never changed hands.")


def directives(result: SessionResult) -> None:
    st.subheader("Directive language")
    st.caption("Requests and instructions to others (\"can you send…\", \"you need to…\", \"let's…\"), "
               "found by explainable word patterns; the rule that fired is listed with each quote.")
    table = tables.directives_table(result)
    if table.empty:
        st.caption("No directive language was found.")
        return
    st.altair_chart(charts.directives_chart(result), width="stretch")
    st.dataframe(table, hide_index=True, width="stretch", key="directives_table",
                 column_config={"time (s)": None})


def questions(result: SessionResult) -> None:
    st.subheader("Questions and response latency")
    st.caption("Questions each person asked, and the median gap before each person took the floor "
               "(negative when they usually started while someone was still speaking).")
    if result.metrics and not any(s.questions for s in result.metrics.speakers):
        st.caption("No questions were recognised in the transcript.")
    widgets.chart_with_numbers(lambda: charts.questions_chart(result), tables.questions_table(result),
                               key="questions", empty="No turns to measure.")


def transcript(result: SessionResult, session_id: int) -> None:
    """The turns, searchable and filterable by person; selecting a turn plays the audio from it."""
    st.subheader("Transcript")
    left, right = st.columns([2, 3])
    query = left.text_input("Search the transcript", key="transcript_search", placeholder="a word or phrase")
    people = right.multiselect("People", tables.speaker_order(result), key="transcript_people",
                               placeholder="everyone")
    table = tables.transcript_table(result, query, people)
    audio = data.audio_file(session_id, result)
    if audio is None:
        st.caption("The audio was not kept for this session, so turns cannot be played back (tick “Keep the "
                   "audio” on the Analyse page to keep it).")
    else:
        st.caption("Select a turn (the box at the left of its row) to play the recording from there.")
    selection = st.dataframe(table, hide_index=True, width="stretch", key="transcript_table",
                             on_select="rerun" if audio else "ignore", selection_mode="single-row",
                             column_config={"start (s)": None,
                                            "text": st.column_config.TextColumn("text", width="large")})
    st.caption(f"{len(table)} of {len(result.turns)} turns shown.")
    if audio is not None:
        rows = selection.selection.rows if hasattr(selection, "selection") else []
        start = float(table.iloc[rows[0]]["start (s)"]) if rows else 0.0
        if rows:
            row = table.iloc[rows[0]]
            st.markdown(f"Playing from {row['time']}: **{row['person']}**")
        st.audio(str(audio), format=mimetypes.guess_type(audio.name)[0] or "audio/wav",
                 start_time=int(start), autoplay=bool(rows))


def rename(result: SessionResult, session_id: int) -> None:
    """Name the speakers; names are stored with the group and appear in every view and export."""
    st.subheader("Name the speakers")
    silent = [s.speaker for s in result.metrics.speakers if s.silent_attendee] if result.metrics else []
    labels = [*result.diarization.speakers, *(s for s in silent if s not in result.diarization.speakers)]
    if not labels:
        st.caption("No speakers to name.")
        return
    st.caption("Speakers are found as SPEAKER_00, SPEAKER_01, … and people who attended without speaking as "
               "SILENT_01, … Give them names (as the group agrees); a name is remembered for the group and "
               "shows in every view and export.")
    with st.form("rename_form"):
        columns = st.columns(min(3, len(labels)))
        given = {label: columns[i % len(columns)].text_input(label, value=display_name(result, label),
                                                              key=f"rename_{session_id}_{label}")
                 for i, label in enumerate(labels)}
        saved = st.form_submit_button("Save names")
    if saved:
        changed = {label: name.strip() for label, name in given.items()
                   if name.strip() and name.strip() != display_name(result, label)}
        try:
            for label, name in changed.items():
                data.rename_speaker(session_id, label, name)
        except AnalyzerError as exc:
            st.error(str(exc))
            return
        st.toast(f"Saved {len(changed)} name(s)." if changed else "No names changed.")
        if changed:
            st.rerun()


def edit_details(summary) -> None:  # noqa: ANN001 - SessionSummary
    """Correct the session's title and meeting date (trends are ordered and spaced by the date)."""
    with st.expander("Correct the title or the meeting date"):
        with st.form(f"details_form_{summary.id}"):
            left, right = st.columns(2)
            title = left.text_input("Title", value=summary.title, key=f"details_title_{summary.id}")
            day = right.date_input("Meeting date", value=date.fromisoformat(summary.recorded_at[:10]),
                                   max_value=date.today(), format="YYYY-MM-DD", key=f"details_date_{summary.id}")
            saved = st.form_submit_button("Save")
    if not saved:
        return
    new_title = title.strip() if title.strip() and title.strip() != summary.title else None
    new_day = day if day and day.isoformat() != summary.recorded_at[:10] else None
    if new_title is None and new_day is None:
        st.toast("Nothing changed.")
        return
    try:
        data.update_session(summary.id, title=new_title,
                            recorded_at=parse_given_date(new_day.isoformat()) if new_day else None)
    except AnalyzerError as exc:
        st.error(str(exc))
        return
    st.toast("Saved.")
    st.rerun()


def downloads(result: SessionResult, summary) -> None:  # noqa: ANN001 - SessionSummary
    """The self-contained HTML report and every export, with the group's names."""
    st.subheader("Download")
    stem = _file_stem(summary.title, summary.id)
    left, right = st.columns(2)
    try:
        html = data.session_export(summary.id, "html", summary.title)
    except AnalyzerError as exc:
        left.error(str(exc))
    else:
        left.download_button("HTML report (opens offline, can be emailed)", html, file_name=f"{stem}.html",
                             mime="text/html", icon=":material/download:", key="download_html")
    formats = [f for f in EXPORT_FORMATS if f != "html"]
    fmt = right.selectbox("Export format", formats, key="export_format",
                          format_func=lambda f: EXPORT_LABELS.get(f, f))
    try:
        text = data.session_export(summary.id, fmt, summary.title)
    except AnalyzerError as exc:
        right.error(str(exc))
        return
    extension = EXTENSIONS.get(fmt, fmt)
    right.download_button(f"Download .{extension}", text, file_name=f"{stem}.{extension}",
                          mime=MIME_TYPES.get(extension, "text/plain"), icon=":material/download:",
                          key="download_export")


def _file_stem(title: str, session_id: int) -> str:
    from dashboard.uploads import sanitise_filename

    return f"{sanitise_filename(title) or 'session'}-{session_id}"

