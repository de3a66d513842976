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

from analyzer.cli.console import console, err_console
from analyzer.core.errors import AnalyzerError
from analyzer.core.schema import SessionResult
from analyzer.core.totals import directive_total
from analyzer.formats.exports import EXPORT_FORMATS, export
from analyzer.formats.fileio import write_text_atomic
from analyzer.formats.names import with_names

Db = Annotated[Optional[str], typer.Option("--db", envvar="FLOORSHARE_DB", show_envvar=True,
                                           help="Database: a SQLAlchemy URL (sqlite:///PATH, "
                                                "postgresql://USER@HOST/DB) or a SQLite file path.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

sessions_app = typer.Typer(help="Stored sessions: list, show, delete, export.", no_args_is_help=True)
groups_app = typer.Typer(help="Groups of people whose sessions are compared over time.", no_args_is_help=True)
speakers_app = typer.Typer(help="Name the speakers of a session.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sessions_app, name="sessions")
    app.add_typer(groups_app, name="groups")
    app.add_typer(speakers_app, name="speakers")
    app.command("trends")(trends)


def _open(db: str | None):  # noqa: ANN202 - SessionStore
    from analyzer.storage import SessionStore

    return SessionStore(db)


def _fail(exc: AnalyzerError) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(exc.exit_code)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@sessions_app.command("list")
def list_sessions(group: Annotated[Optional[str], typer.Option("--group", "-g", help="Only this group.")] = None,
                  db: Db = None, as_json: Json = False) -> None:
    """List stored sessions, oldest recording first."""
    try:
        with _open(db) as store:
            sessions = store.list_sessions(group)
    except AnalyzerError as exc:
        raise _fail(exc) from None
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
        speakers.append({"label": label, "name": result.speaker_names.get(label),
                         "share": s.share if s else None, "speaking_time": s.speaking_time if s else None,
                         "turns": s.turns if s else None,
                         "interruptions_made": sum(s.interruptions_made.values()) if s else None,
                         "directives": directive_total(s.directives) if s else None})
    return {**summary_dict,
            "verdict_reasons": [with_names(result, r) for r in metrics.verdict.reasons] if metrics else [],
            "indices": _indices(result),
            "speakers": speakers}


def _indices(result: SessionResult) -> dict[str, Any] | None:
    if result.metrics is None:
        return None
    indices = asdict(result.metrics.group)
    if isinstance(indices.get("hub"), str):
        indices["hub_name"] = result.speaker_names.get(indices["hub"])
    return indices


@sessions_app.command("show")
def show(session: Annotated[int, typer.Argument(help="Session id (see `sessions list`).")],
         db: Db = None, as_json: Json = False) -> None:
    """Show one session: verdict, reasons and each speaker's numbers."""
    try:
        with _open(db) as store:
            summary, result = store.summary(session), store.load(session)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    details = session_details(asdict(summary), result)
    if as_json:
        _print_json(details)
        return
    console.print(f"[bold]{summary.title}[/bold] (session {summary.id}, group {summary.group}, "
                  f"{summary.recorded_at}, {summary.duration:.0f} s)", highlight=False)
    table = Table()
    for column in ("label", "name", "share", "speaking time", "turns", "interruptions made", "directives"):
        table.add_column(column, justify="left" if column in ("label", "name") else "right")
    for sp in details["speakers"]:
        table.add_row(sp["label"], sp["name"] or "-",
                      "-" if sp["share"] is None else f"{sp['share']:.0%}",
                      "-" if sp["speaking_time"] is None else f"{sp['speaking_time']:.1f} s",
                      *("-" if sp[k] is None else str(sp[k]) for k in ("turns", "interruptions_made", "directives")))
    console.print(table)
    if summary.verdict:
        console.print(f"verdict: [bold]{summary.verdict.replace('_', ' ')}[/bold]")
        for reason in details["verdict_reasons"]:
            console.print(f"  - {reason}", highlight=False)


@sessions_app.command("delete")
def delete(session: Annotated[int, typer.Argument(help="Session id.")], db: Db = None, yes: Yes = False) -> None:
    """Delete a session with every row derived from it and its kept audio."""
    if not yes:
        typer.confirm(f"Delete session {session} and everything derived from it?", abort=True)
    try:
        with _open(db) as store:
            store.delete_session(session)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    console.print(f"deleted session {session}")


@sessions_app.command("export")
def export_session(
    session: Annotated[int, typer.Argument(help="Session id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")] = "json",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
    db: Db = None,
) -> None:
    """Export a session (names replace labels); csv is per person, csv-turns per turn."""
    try:
        with _open(db) as store:
            title = store.summary(session).title
            text = export(store.load(session), fmt, title=title)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_text_atomic(out, text, fix="choose another --out")
    except AnalyzerError as exc:
        raise _fail(exc) from None
    err_console.print(f"wrote {out}", highlight=False)


@groups_app.command("list")
def list_groups(db: Db = None, as_json: Json = False) -> None:
    """List groups with how many sessions each has."""
    try:
        with _open(db) as store:
            groups, sessions = store.list_groups(), store.list_sessions()
            people = {g: store.people(g) for g in groups}
    except AnalyzerError as exc:
        raise _fail(exc) from None
    counts = {g: sum(1 for s in sessions if s.group == g) for g in groups}
    if as_json:
        _print_json([{"name": g, "sessions": counts[g], "people": people[g]} for g in groups])
        return
    table = Table(title="groups")
    for column in ("group", "sessions", "people"):
        table.add_column(column)
    for g in groups:
        table.add_row(g, str(counts[g]), ", ".join(people[g]) or "-")
    console.print(table)


@groups_app.command("create")
def create_group(name: Annotated[str, typer.Argument(help="Group name.")], db: Db = None) -> None:
    """Create a group (sessions are added with `floorshare analyze --group NAME`)."""
    try:
        with _open(db) as store:
            created = store.create_group(name)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    console.print(f"created group {name}" if created else f"group {name} already exists", highlight=False)


@groups_app.command("delete")
def delete_group(name: Annotated[str, typer.Argument(help="Group name.")], db: Db = None, yes: Yes = False) -> None:
    """Delete a group with its people, sessions and everything derived from them."""
    if not yes:
        typer.confirm(f"Delete group {name!r} with all its sessions and people?", abort=True)
    try:
        with _open(db) as store:
            store.delete_group(name)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    console.print(f"deleted group {name}", highlight=False)


@speakers_app.command("rename")
def rename(session: Annotated[int, typer.Argument(help="Session id.")],
           label: Annotated[str, typer.Argument(help="Diarization label, e.g. SPEAKER_00.")],
           name: Annotated[str, typer.Argument(help="The person's name (a person of the session's group).")],
           db: Db = None) -> None:
    """Link a speaker label of a session to a person; the name then shows in every view."""
    try:
        with _open(db) as store:
            store.rename_speaker(session, label, name)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    console.print(f"session {session}: {label} is now {name}", highlight=False)


def trends(group: Annotated[str, typer.Argument(help="Group name.")], db: Db = None, as_json: Json = False) -> None:
    """A group's balance over its sessions, and each named person's share, turns and interruptions."""
    try:
        with _open(db) as store:
            data = store.trends(group)
    except AnalyzerError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(data.to_dict())
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


def _person_cell(point) -> str:  # noqa: ANN001 - PersonPoint | None
    if point is None or point.share is None:
        return "-"
    return f"{point.share:.0%} / {point.turns} / {point.interruptions_made} / {point.directives}"
