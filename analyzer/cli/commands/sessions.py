"""``floorshare sessions|groups|speakers|trends``: the sessions database from the command line.

Every command opens the database given by ``--db`` or ``$FLOORSHARE_DB`` (default: a
SQLite file in the user's data directory), calls :class:`analyzer.storage.SessionStore`
and renders; every listing takes ``--json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import opened_store
from analyzer.cli.console import console, err_console
from analyzer.core.schema import SessionResult
from analyzer.formats.exports import EXPORT_FORMATS, export
from analyzer.formats.fileio import write_text_atomic
from analyzer.formats.names import display_name, removed_notice, with_names

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

sessions_app = typer.Typer(help="Stored sessions: list, show, update, delete, export.", no_args_is_help=True)
groups_app = typer.Typer(help="Groups of people whose sessions are compared over time.", no_args_is_help=True)
speakers_app = typer.Typer(help="Name the speakers of a session, confirm or correct voice matches, enrol "
                                "voices, merge or split speakers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sessions_app, name="sessions")
    app.add_typer(groups_app, name="groups")
    app.add_typer(speakers_app, name="speakers")  # analyzer.cli.commands.speakers adds more commands to it
    app.command("trends")(trends)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@sessions_app.command("list")
def list_sessions(group: Annotated[Optional[str], typer.Option("--group", "-g", help="Only this group.")] = None,
                  db: o.Db = None, as_json: Json = False) -> None:
    """List stored sessions, oldest recording first."""
    with opened_store(db) as store:
        sessions = store.list_sessions(group)
    if as_json:
        _print_json([asdict(s) for s in sessions])
        return
    table = Table(title=f"sessions{f' of {group}' if group else ''}")
    for column in ("id", "group", "title", "recorded", "duration", "speakers", "verdict", "version"):
        table.add_column(column, justify="right" if column in ("id", "duration", "speakers", "version") else "left")
    for s in sessions:
        table.add_row(str(s.id), s.group, s.title, s.recorded_at[:16].replace("T", " "), f"{s.duration:.0f} s",
                      str(s.num_speakers), (s.verdict or "-").replace("_", " "), str(s.version))
    console.print(table)


def session_details(summary_dict: dict[str, Any], result: SessionResult) -> dict[str, Any]:
    """What ``sessions show --json`` prints: the listing fields, verdict, indices and speakers."""
    metrics = result.metrics
    stats = {s.speaker: s for s in metrics.speakers} if metrics else {}
    labels = list(stats) + [label for label in result.diarization.speakers if label not in stats]
    speakers = []
    for label in labels:
        s = stats.get(label)
        match = result.speaker_matches.get(label)
        speakers.append({"label": label, "name": result.speaker_names.get(label),
                         "person": match.person if match else result.speaker_names.get(label),
                         "match_confidence": match.confidence if match else None,
                         "match_status": match.status if match else None,
                         "share": s.share if s else None, "speaking_time": s.speaking_time if s else None,
                         "turns": s.turns if s else None,
                         "interruptions_made": s.interruptions_made.total if s else None,
                         "directives": s.directives.total if s else None})
    details = {**summary_dict,
               "verdict_reasons": [with_names(result, r) for r in metrics.verdict.reasons] if metrics else [],
               "indices": _indices(result),
               "speakers": speakers}
    if metrics is not None and metrics.voice is not None:
        from analyzer.formats.serialize import voice_to_dict

        details["voice"] = voice_to_dict(metrics.voice, result.speaker_names)
    elif removed_notice(result):  # a correction removed them: why
        details["voice_removed"] = removed_notice(result)
    return details


def _indices(result: SessionResult) -> dict[str, Any] | None:
    if result.metrics is None:
        return None
    indices = asdict(result.metrics.group)
    if isinstance(indices.get("hub"), str):
        indices["hub_name"] = result.speaker_names.get(indices["hub"])
    return indices


@sessions_app.command("show")
def show(session: Annotated[int, typer.Argument(help="Session id (see `sessions list`).")],
         db: o.Db = None, as_json: Json = False) -> None:
    """Show one session: verdict, reasons and each speaker's numbers."""
    from analyzer.cli.commands.agreements_view import agreements_dict, print_agreements

    with opened_store(db) as store:
        summary, result = store.summary(session), store.load(session)
        agreements = store.agreements(session)
    details = session_details(asdict(summary), result)
    namer = lambda label: display_name(result, label)  # noqa: E731
    details["agreements"] = agreements_dict(agreements, namer)
    if as_json:
        _print_json(details)
        return
    console.print(f"[bold]{summary.title}[/bold] (session {summary.id}, group {summary.group}, "
                  f"{summary.recorded_at}, {summary.duration:.0f} s)", highlight=False)
    print_agreements(agreements, namer)
    table = Table()
    for column in ("label", "name", "share", "speaking time", "turns", "interruptions made", "directives"):
        table.add_column(column, justify="left" if column in ("label", "name") else "right")
    for sp in details["speakers"]:
        table.add_row(sp["label"], _name_cell(sp),
                      "-" if sp["share"] is None else f"{sp['share']:.0%}",
                      "-" if sp["speaking_time"] is None else f"{sp['speaking_time']:.1f} s",
                      *("-" if sp[k] is None else str(sp[k]) for k in ("turns", "interruptions_made", "directives")))
    console.print(table)
    if summary.verdict:
        console.print(f"verdict: [bold]{summary.verdict.replace('_', ' ')}[/bold]")
        for reason in details["verdict_reasons"]:
            console.print(f"  - {reason}", highlight=False)
    if result.metrics is not None and result.metrics.voice is not None:
        from analyzer.cli.commands.analyze import print_voice

        print_voice(result)
    elif details.get("voice_removed"):
        console.print(f"note: {details['voice_removed']}", highlight=False)


def _name_cell(speaker: dict[str, Any]) -> str:
    """The name, with how the voice match stands (``Ana (0.91, suggested)``) in a voiceprint group."""
    name = speaker["name"] or "-"
    if speaker.get("match_status") in ("suggested", "confirmed") and speaker.get("match_confidence") is not None:
        return f"{name} ({speaker['match_confidence']:.2f}, {speaker['match_status']})"
    if speaker.get("match_status"):
        return f"{name} ({speaker['match_status']})"
    return name


@sessions_app.command("update")
def update(session: Annotated[int, typer.Argument(help="Session id (see `sessions list`).")],
           meeting_day: Annotated[Optional[str], typer.Option("--date", help="The meeting's date: YYYY-MM-DD, "
                                                              "optionally with a time (2026-03-14T10:15).")] = None,
           title: Annotated[Optional[str], typer.Option("--title", help="The session's title.")] = None,
           db: o.Db = None) -> None:
    """Correct a session's meeting date or title (trends are ordered by the date)."""
    from analyzer.core.dates import SOURCE_WORDS, parse_given_date

    if meeting_day is None and title is None:
        err_console.print("[red]error:[/red] nothing to change; give --date YYYY-MM-DD and/or --title TEXT",
                          highlight=False)
        raise typer.Exit(2)
    with opened_store(db) as store:
        when = parse_given_date(meeting_day) if meeting_day is not None else None
        summary = store.update_session(session, title=title, recorded_at=when)
    source = SOURCE_WORDS.get(summary.date_source or "", "date source not recorded")
    console.print(f"session {summary.id}: {summary.title!r}, meeting date {summary.recorded_at[:10]} ({source})",
                  highlight=False)


@sessions_app.command("delete")
def delete(session: Annotated[int, typer.Argument(help="Session id.")], db: o.Db = None, yes: Yes = False) -> None:
    """Delete a session with every row derived from it and its kept audio."""
    if not yes:
        typer.confirm(f"Delete session {session} and everything derived from it?", abort=True)
    with opened_store(db) as store:
        store.delete_session(session)
    console.print(f"deleted session {session}")


@sessions_app.command("export")
def export_session(
    session: Annotated[int, typer.Argument(help="Session id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")] = "json",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
    db: o.Db = None,
) -> None:
    """Export a session (names replace labels); csv is per person, csv-turns per turn."""
    with opened_store(db) as store:
        title = store.summary(session).title
        text = export(store.load(session), fmt, title=title,
                      agreements=store.agreements(session) if fmt.lower() == "html" else None)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_text_atomic(out, text, fix="choose another --out")
    err_console.print(f"wrote {out}", highlight=False)


@groups_app.command("list")
def list_groups(db: o.Db = None, as_json: Json = False) -> None:
    """List groups with how many sessions each has."""
    with opened_store(db) as store:
        groups, sessions = store.list_groups(), store.list_sessions()
        people = {g: store.people(g) for g in groups}
        prints = {v.group: v for v in store.voiceprint_inventory()}
    counts = {g: sum(1 for s in sessions if s.group == g) for g in groups}
    if as_json:
        _print_json([{"name": g, "sessions": counts[g], "people": people[g], "voiceprints": prints[g].enabled,
                      "stored_voiceprints": prints[g].voiceprints} for g in groups])
        return
    table = Table(title="groups")
    for column in ("group", "sessions", "people", "voiceprints"):
        table.add_column(column)
    for g in groups:
        table.add_row(g, str(counts[g]), ", ".join(people[g]) or "-",
                      f"on ({prints[g].voiceprints} stored)" if prints[g].enabled else "off")
    console.print(table)


VOICEPRINTS_HELP = ("Keep a voiceprint of each speaker so the next meetings name the people already named "
                    "(biometric data: ask the group; deleted with the session, person or group).")


@groups_app.command("create")
def create_group(name: Annotated[str, typer.Argument(help="Group name.")], db: o.Db = None,
                 voiceprints: Annotated[bool, typer.Option("--voiceprints", help=VOICEPRINTS_HELP)] = False) -> None:
    """Create a group (sessions are added with `floorshare analyze --group NAME`)."""
    with opened_store(db) as store:
        created = store.create_group(name, voiceprints=voiceprints)
    if not created:
        console.print(f"group {name} already exists (change it with `floorshare groups update {name}`)",
                      highlight=False)
        return
    console.print(f"created group {name}{' (keeps voiceprints)' if voiceprints else ''}", highlight=False)


@groups_app.command("update")
def update_group(name: Annotated[str, typer.Argument(help="Group name.")], db: o.Db = None,
                 voiceprints: Annotated[Optional[bool], typer.Option(
                     "--voiceprints/--no-voiceprints",
                     help=VOICEPRINTS_HELP + " --no-voiceprints deletes the stored ones.")] = None) -> None:
    """Change a group's settings: whether it keeps voiceprints."""
    if voiceprints is None:
        err_console.print("error: nothing to change; give --voiceprints or --no-voiceprints", highlight=False)
        raise typer.Exit(2)
    with opened_store(db) as store:
        deleted = store.set_voiceprints(name, voiceprints)
    if voiceprints:
        console.print(f"group {name} keeps voiceprints from now on: speakers of its next sessions are matched "
                      "to the people it names", highlight=False)
    else:
        console.print(f"group {name} keeps no voiceprints; deleted {deleted}", highlight=False)


@groups_app.command("delete")
def delete_group(name: Annotated[str, typer.Argument(help="Group name.")], db: o.Db = None, yes: Yes = False) -> None:
    """Delete a group with its people, sessions and everything derived from them."""
    if not yes:
        typer.confirm(f"Delete group {name!r} with all its sessions and people?", abort=True)
    with opened_store(db) as store:
        store.delete_group(name)
    console.print(f"deleted group {name}", highlight=False)


@speakers_app.command("rename")
def rename(session: Annotated[int, typer.Argument(help="Session id.")],
           label: Annotated[str, typer.Argument(help="Diarization label, e.g. SPEAKER_00.")],
           name: Annotated[str, typer.Argument(help="The person's name (a person of the session's group).")],
           db: o.Db = None) -> None:
    """Link a speaker label of a session to a person; the name then shows in every view."""
    link_speaker(session, label, name, db)


def link_speaker(session: int, label: str, name: str, db: str | None, note: str = "") -> None:
    """Link LABEL of SESSION to the person NAME (``speakers rename`` and ``speakers correct``)."""
    with opened_store(db) as store:
        store.rename_speaker(session, label, name)
    console.print(f"session {session}: {label} is now {name}{note}", highlight=False)


def trends(group: Annotated[str, typer.Argument(help="Group name.")], db: o.Db = None, as_json: Json = False) -> None:
    """A group's balance over its sessions, and each named person's share, turns and interruptions."""
    with opened_store(db) as store:
        data = store.trends(group)
        points = store.agreement_trend(group)
    if as_json:
        _print_json({**data.to_dict(), "agreements": [
            {"id": p.session_id, "recorded_at": p.recorded_at, "version": p.version,
             "goals": [{"kind": c.goal.kind, "target": c.goal.target, "measured": c.measured, "kept": c.kept}
                       for c in p.checks]} for p in points]})
        return
    table = Table(title=f"{group}: sessions")
    for column in ("id", "recorded", "title", "verdict", "gini", "effective speakers", "largest share"):
        table.add_column(column, justify="left" if column in ("recorded", "title", "verdict") else "right")
    for s in data.sessions:
        i = s.indices
        table.add_row(str(s.session_id), s.recorded_at[:10], s.title, (s.verdict or "-").replace("_", " "),
                      f"{i.gini:.2f}" if i else "-", f"{i.effective_speakers:.1f}" if i else "-",
                      f"{i.largest_share:.0%}" if i else "-")
    console.print(table)
    people = Table(title=f"{group}: people (share / turns / interruptions made / directives per session)")
    people.add_column("person")
    for s in data.sessions:
        people.add_column(f"#{s.session_id} {s.recorded_at[:10]}", justify="right")
    for person in data.people:
        cells = {p.session_id: p for p in person.points}
        people.add_row(person.name, *(_person_cell(cells.get(s.session_id)) for s in data.sessions))
    console.print(people if data.people else "no named people yet: name speakers with "
                  "`floorshare speakers rename SESSION LABEL NAME`")
    _print_agreement_trend(group, points)


def _print_agreement_trend(group: str, points) -> None:  # noqa: ANN001 - storage AgreementPoint list
    """Each goal at each session: its measure, ✓ kept or ✗ not, against the target in force then."""
    from analyzer.metrics.agreement_words import goal_text, value_text

    goals = {c.goal.kind: c.goal for p in points for c in p.checks}
    if not goals:
        console.print(f"no agreements in force at these sessions: set them with "
                      f"`floorshare groups goals set {group} --starting-set`", highlight=False)
        return
    table = Table(title=f"{group}: agreements per session (measure, ✓ kept / ✗ not, against the target then)")
    table.add_column("goal")
    for p in points:
        table.add_column(f"#{p.session_id} {p.recorded_at[:10]}", justify="right")
    for kind, goal in goals.items():
        cells = []
        for p in points:
            check = next((c for c in p.checks if c.goal.kind == kind), None)
            if check is None or check.measured is None:
                cells.append("-")
            else:
                cells.append(f"{value_text(kind, check.measured)} {'✓' if check.kept else '✗'}")
        table.add_row(goal_text(goal), *cells)
    console.print(table)


def _person_cell(point) -> str:  # noqa: ANN001 - PersonPoint | None
    if point is None or point.share is None:
        return "-"
    return f"{point.share:.0%} / {point.turns} / {point.interruptions_made} / {point.directives}"
