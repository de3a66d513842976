"""``floorshare analyze PATH...``: analyse recordings and write result.json, RTTM and transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import fail
from analyzer.cli.commands.progress_bar import stage_progress
from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError
from analyzer.core.schema import SessionResult
from analyzer.formats.names import display_name, format_clock, with_names
from analyzer.formats.outputs import write_outputs


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)


def analyze(
    paths: list[Path] = typer.Argument(..., help="Recordings (wav, mp3, m4a, ogg, flac, webm, mp4...)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder: DIR/<stem>/result.json, "
                             "diarization.rttm and transcript.txt."),
    config_file: o.ConfigFile = None, num_speakers: o.NumSpeakers = None, min_speakers: o.MinSpeakers = None,
    max_speakers: o.MaxSpeakers = None, device: o.Device = "auto", asr_model: o.AsrModel = None,
    language: o.Language = None, attendees: o.Attendees = None,
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Store the sessions in this group "
                                        "(created if new; default group: default)."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not store the sessions in the database."),
    db: o.Db = None,
    keep_audio: bool = typer.Option(False, "--keep-audio", help="Keep a copy of each recording with its "
                                    "stored session (not kept by default)."),
    force: bool = typer.Option(False, "--force", help="Analyse again even when the database already holds "
                               "this recording analysed with the same settings."),
    meeting_day: o.MeetingDay = None,
) -> None:
    """Analyse each recording: who spoke when, what was said, and how the floor was shared.

    Exit code 0 when every input worked, 1 when an input failed (the others are still
    processed), 2 for a usage error.
    """
    try:
        config = o.build_config(config_file, num_speakers, min_speakers, max_speakers, device,
                                asr_model, language, attendees)
        o.check_date(meeting_day)
    except AnalyzerError as exc:
        raise fail(exc) from None
    store = None if no_store else _open_store(db)
    from analyzer.adapters.recording_date import meeting_date
    from analyzer.pipeline.analysis import build_analyzer
    from analyzer.pipeline.session import StoreOptions, analyze_recording

    loaded = []  # the models load on the first recording that needs them, once

    def load():  # noqa: ANN202 - Analyzer
        if not loaded:
            loaded.append(build_analyzer(config))
        return loaded[0]

    failures = 0
    for path in paths:
        try:
            with stage_progress(path.name) as hook:
                outcome = analyze_recording(path, config=config, analyzer=load, store=store, force=force,
                                            hook=hook, options=StoreOptions(group=group, keep_audio=keep_audio),
                                            dating=lambda path=path: meeting_date(path, meeting_day))
            result, session_id, when = outcome.result, outcome.session_id, outcome.meeting_date
            if outcome.already_stored:
                err_console.print(f"{path}: already analysed with these settings (session "
                                  f"{session_id}); showing the stored result (use --force to analyse "
                                  "again)", highlight=False)
                if meeting_day:  # a stored session: --date corrects its date
                    when = meeting_date(path, meeting_day)
                    store.update_session(session_id, recorded_at=when.when)
            folder = write_outputs(result, out)
        except AnalyzerError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
            failures += 1
            continue
        print_summary(result)
        console.print(f"report: {folder / 'result.json'}", highlight=False)
        if when is not None:
            console.print(f"meeting date: {when.describe()}", highlight=False)
        if session_id is not None:
            _print_agreements(store, session_id, result)
            console.print(f"stored: session {session_id} (see `floorshare sessions show {session_id}`)",
                          highlight=False)
    raise typer.Exit(1 if failures else 0)


def _print_agreements(store, session_id: int, result: SessionResult) -> None:  # noqa: ANN001 - SessionStore
    """The group's agreements, judged on the session just stored (nothing when it has none)."""
    from analyzer.cli.commands.agreements_view import print_agreements

    agreements = store.agreements(session_id)
    if agreements.version is not None or agreements.first_valid_from:
        print_agreements(agreements, lambda label: display_name(result, label))


def _open_store(db: str | None):  # noqa: ANN202 - SessionStore
    from analyzer.storage import SessionStore

    try:
        return SessionStore(db)
    except AnalyzerError as exc:
        raise fail(exc) from None


def match_text(result: SessionResult, label: str) -> str:
    """How a speaker was identified, e.g. ``Ana (0.83, suggested)`` or ``new voice``."""
    match = result.speaker_matches.get(label)
    if match is None:
        return "-"
    if match.person is None:
        return "new voice" if match.status == "new" else match.status
    confidence = f"{match.confidence:.2f}, " if match.confidence is not None else ""
    return f"{match.person} ({confidence}{match.status}) [{label}]"


def print_summary(result: SessionResult) -> None:
    """A per-speaker table with the verdict and its reasons."""
    metrics = result.metrics
    table = Table(title=f"{Path(result.recording.path).name} ({result.recording.duration:.1f} s)")
    from analyzer.metrics.confidence import confidence_label, count_note, speaker_doubts

    matched = bool(result.speaker_matches)
    measured = bool(result.diarization.confidence)
    columns = ("speaker", *(("voice match",) if matched else ()), "speaking time", "share", "turns", "words",
               "interruptions made", "directives", *(("distinct person",) if measured else ()))
    for column in columns:
        table.add_column(column, justify="left" if column in ("speaker", "voice match") else "right")
    for s in metrics.speakers if metrics else ():
        name = result.speaker_names.get(s.speaker, s.speaker)
        match = (match_text(result, s.speaker),) if matched else ()
        extra = ("-" if s.silent_attendee else confidence_label(result, s.speaker),) if measured else ()
        table.add_row(name, *match, f"{s.speaking_time:.1f} s", f"{s.share:.0%}", str(s.turns), str(s.words),
                      str(s.interruptions_made.total), str(s.directives.total), *extra)
    console.print(table)
    note = count_note(result)
    if note:
        console.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
        for doubt in speaker_doubts(result).values():
            console.print(f"  ⚠ {doubt}", highlight=False, markup=False)
    if any(m.status == "suggested" for m in result.speaker_matches.values()):
        console.print("voice matches are suggestions: `floorshare speakers confirm|correct|reject SESSION LABEL`",
                      highlight=False)
    if metrics:
        console.print(f"verdict: [bold]{metrics.verdict.label.replace('_', ' ')}[/bold]")
        for reason in metrics.verdict.reasons:
            console.print(f"  - {with_names(result, reason)}", highlight=False)
    if metrics and metrics.voice is not None:
        print_voice(result)
    for hit in result.directives[:3]:
        console.print(f"  directive ({hit.category}) [{format_clock(hit.time)}] "
                      f"{display_name(result, hit.speaker)}: \"{hit.text}\"", highlight=False, markup=False)


def print_voice(result: SessionResult, max_moments: int = 5) -> None:
    """How people sound: energy share, loudness, pitch, pace; then raised voices and heated stretches."""
    from analyzer.formats.names import voice_cells

    voice = result.metrics.voice
    table = Table(title="how people sound (exclusive speech only)")
    for column in ("speaker", "energy share", "loud p90 vs median", "pitch", "pitch range", "pace", "raised"):
        table.add_column(column, justify="left" if column == "speaker" else "right")
    for v in voice.speakers:
        cells = voice_cells(v)
        table.add_row(display_name(result, v.speaker), cells["energy_share"], cells["loud_p90"], cells["pitch"],
                      cells["pitch_range"], cells["pace"], str(v.raised_moments))
    console.print(table)
    for moment in voice.raised[:max_moments]:
        console.print(f"  raised voice [{format_clock(moment.start)}] {display_name(result, moment.speaker)} "
                      f"(+{moment.above_db:.0f} dB for {moment.end - moment.start:.1f} s): \"{moment.quote}\"",
                      highlight=False, markup=False)
    if len(voice.raised) > max_moments:
        console.print(f"  ... {len(voice.raised) - max_moments} more raised-voice moments in result.json",
                      highlight=False)
    for h in voice.heated:
        names = ", ".join(display_name(result, p) for p in h.speakers)
        console.print(f"  heated [{format_clock(h.start)}-{format_clock(h.end)}] {h.raised} raised voice(s), "
                      f"{h.interruptions} interruption(s), {h.changes_per_minute:.0f} floor changes/min ({names})",
                      highlight=False, markup=False)
