"""``floorshare speakers ...``: confirm, correct or reject voice matches, enrol a voice, manage the
voice library, and correct a session's diarization (merge, split, re-assign a turn).

Every command calls :class:`analyzer.storage.SessionStore` and :mod:`analyzer.pipeline.corrections`;
the numbers of a corrected session are recomputed by the library, not here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.sessions import Json, _print_json, link_speaker, speakers_app
from analyzer.cli.commands.stored import opened_store
from analyzer.cli.console import console

def register(app: typer.Typer) -> None:
    """Nothing to add to ``app``: importing this module adds its commands to ``speakers_app``
    (which :mod:`analyzer.cli.commands.sessions` registers)."""


Session = Annotated[int, typer.Argument(help="Session id (see `floorshare sessions list`).")]
Label = Annotated[str, typer.Argument(help="Diarization label of the session, e.g. SPEAKER_00.")]
Group = Annotated[str, typer.Option("--group", "-g", help="The group whose voice library this is.")]


@speakers_app.command("confirm")
def confirm(session: Session, label: Label, db: o.Db = None) -> None:
    """Confirm that a matched speaker is the suggested person (their voiceprint learns this voice)."""
    with opened_store(db) as store:
        name = store.confirm_speaker(session, label)
    console.print(f"session {session}: {label} is {name} (confirmed)", highlight=False)


@speakers_app.command("correct")
def correct(session: Session, label: Label,
            name: Annotated[str, typer.Argument(help="Who it really is (a person of the group, or a new name).")],
            db: o.Db = None) -> None:
    """The speaker is someone else: link the label to NAME, confirmed (same as `speakers rename`)."""
    link_speaker(session, label, name, db, note=" (confirmed)")


@speakers_app.command("reject")
def reject(session: Session, label: Label, db: o.Db = None) -> None:
    """The suggested person is wrong: unlink it (the speaker becomes "New speaker N")."""
    with opened_store(db) as store:
        placeholder = store.reject_speaker(session, label)
    console.print(f"session {session}: {label} is now {placeholder}; name them with "
                  f"`floorshare speakers correct {session} {label} NAME`", highlight=False)


@speakers_app.command("enroll")
def enroll(clip: Annotated[Path, typer.Argument(help="A clip of the person speaking alone (10 s or more).")],
           group: Group, name: Annotated[str, typer.Option("--name", "-n", help="The person's name.")],
           db: o.Db = None, device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto") -> None:
    """Enrol a person's voice from a clip, so the group's next meetings name them."""
    from analyzer.core.config import AnalysisConfig
    from analyzer.pipeline.enrolment import enrol_clip
    from analyzer.pipeline.analysis import build_analyzer

    with opened_store(db) as store:
        store.require_voiceprints(group)  # before loading the models
        with console.status(f"listening to {clip.name}"):
            diarizer = build_analyzer(replace(AnalysisConfig(), device=device)).diarizer
            enrolment = enrol_clip(clip, diarizer, store.voiceprint_config)
        store.enrol(group, name, enrolment.vector, enrolment.speech_s, enrolment.model)
    console.print(f"enrolled {name} in group {group} from {enrolment.speech_s:.1f} s of speech", highlight=False)


@speakers_app.command("library")
def library(group: Group, db: o.Db = None, as_json: Json = False) -> None:
    """The people of a group that have a voiceprint, and what it is made of."""
    with opened_store(db) as store:
        entries, enabled = store.voice_library(group), store.voiceprints_enabled(group)
    if as_json:
        _print_json({"group": group, "voiceprints": enabled,
                     "people": [{"name": e.person, "voiceprints": e.voiceprints, "enrolments": e.enrolments,
                                 "speech_s": e.speech_s} for e in entries]})
        return
    if not enabled:
        console.print(f"group {group} keeps no voiceprints (turn them on with `floorshare groups update {group} "
                      "--voiceprints`)", highlight=False)
    table = Table(title=f"{group}: voice library")
    for column in ("person", "voiceprints", "of which enrolments", "speech"):
        table.add_column(column, justify="left" if column == "person" else "right")
    for e in entries:
        table.add_row(e.person, str(e.voiceprints), str(e.enrolments), f"{e.speech_s:.0f} s")
    console.print(table)


@speakers_app.command("export")
def export(out: Annotated[Path, typer.Argument(help="JSON file to write (must not exist yet).")], group: Group,
           name: Annotated[Optional[str], typer.Option("--name", "-n", help="Only this person's voiceprints.")] = None,
           db: o.Db = None) -> None:
    """Write a group's confirmed voiceprints (voice embeddings: biometric data) to a JSON file, on request
    only: result.json, reports and session exports never contain them."""
    import json

    from analyzer.cli.commands.stored import fail
    from analyzer.core.errors import AnalyzerError

    if out.exists():
        raise fail(AnalyzerError(f"{out}: already exists; give a new file name (voiceprints are never "
                                 "written over another file)")) from None
    with opened_store(db) as store:
        data = store.export_voiceprints(group, name)
    count = sum(len(p["voiceprints"]) for p in data["people"])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(AnalyzerError(f"{out}: cannot write it ({exc.strerror or exc}); give a writable path")) from None
    console.print(f"wrote {count} voiceprint(s) of {len(data['people'])} person(s) of group {group} to {out}; "
                  "they are biometric data: keep the file private", highlight=False, markup=False)


@speakers_app.command("forget")
def forget(name: Annotated[str, typer.Argument(help="The person whose voiceprints to delete.")], group: Group,
           db: o.Db = None) -> None:
    """Delete every voiceprint of one person (their sessions and numbers stay)."""
    with opened_store(db) as store:
        count = store.forget_voice(group, name)
    console.print(f"deleted {count} voiceprint(s) of {name} in group {group}", highlight=False)


def _correct(db: str | None, session: int, change) -> None:  # noqa: ANN001 - (result, voice) -> (result, message)
    from analyzer.cli.commands.sessions import session_details
    from analyzer.pipeline.revoice import RecordingVoice, voice_note

    with opened_store(db) as store:
        loaded = store.load(session, with_voiceprints=True)
        voice = RecordingVoice(loaded, kept=store.audio_path(session))
        corrected, message = change(loaded, voice)
        note = voice_note(loaded, corrected, voice)
        store.replace_result(session, corrected)
        summary, result = store.summary(session), store.load(session)
    console.print(f"session {session}: {message}; every number was recomputed", highlight=False)
    if note:
        console.print(f"note: {note}", highlight=False)
    details = session_details({}, result)
    for sp in details["speakers"]:
        share = "-" if sp["share"] is None else f"{sp['share']:.0%}"
        console.print(f"  {sp['name'] or sp['label']} ({sp['label']}): {share}, {sp['turns']} turns", highlight=False)
    if summary.verdict:
        console.print(f"verdict: [bold]{summary.verdict.replace('_', ' ')}[/bold]")


@speakers_app.command("merge")
def merge(session: Session, keep: Label,
          drop: Annotated[str, typer.Argument(help="The label that is the same person as KEEP.")],
          db: o.Db = None) -> None:
    """Two labels of a session are one person: merge DROP into KEEP and recompute everything."""
    from analyzer.pipeline.corrections import merge_speakers

    _correct(db, session, lambda r, voice: (merge_speakers(r, keep, drop, voice=voice),
                                            f"merged {drop} into {keep}"))


@speakers_app.command("split")
def split(session: Session, label: Label,
          start: Annotated[float, typer.Option("--from", help="Start of the stretch, seconds.")],
          end: Annotated[float, typer.Option("--to", help="End of the stretch, seconds.")],
          into: Annotated[Optional[str], typer.Option("--into", help="The label who really spoke then "
                                                      "(default: a new label).")] = None,
          db: o.Db = None) -> None:
    """LABEL's speech between --from and --to was someone else: give it to --into (or a new label)."""
    from analyzer.pipeline.corrections import split_speaker

    def change(result, voice):  # noqa: ANN001, ANN202
        corrected, target = split_speaker(result, label, start, end, into, voice=voice)
        return corrected, f"{label}'s speech from {start:g} s to {end:g} s is now {target}'s"
    _correct(db, session, change)


@speakers_app.command("reassign")
def reassign(session: Session, turn: Annotated[int, typer.Argument(help="Turn number (see `sessions export "
                                                                          "--format csv-turns`).")],
             into: Annotated[Optional[str], typer.Option("--into", help="The label who spoke it "
                                                         "(default: a new label).")] = None,
             db: o.Db = None) -> None:
    """A turn was someone else's: give it to --into (or a new label) and recompute everything."""
    from analyzer.pipeline.corrections import reassign_turn

    def change(result, voice):  # noqa: ANN001, ANN202
        corrected, target = reassign_turn(result, turn, into, voice=voice)
        return corrected, f"turn {turn} is now {target}'s"
    _correct(db, session, change)

