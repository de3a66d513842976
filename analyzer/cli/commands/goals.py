"""``floorshare groups goals show|set|history``: a group's agreements, and how sessions kept them.

Goals are versioned: ``set`` makes a new version from the one in force (changed targets, goals
switched off), in force for meetings on or after ``--from`` (default today). Sessions are judged
by the version in force at their meeting date. The judging is :mod:`analyzer.metrics.agreements`.
"""

from __future__ import annotations

import re
from typing import Annotated, Optional

import typer
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.sessions import Json, _print_json, groups_app
from analyzer.cli.commands.stored import opened_store
from analyzer.cli.console import console
from analyzer.core.errors import ConfigError
from analyzer.metrics import agreements as ag
from analyzer.metrics.agreement_words import goal_text, value_text

goals_app = typer.Typer(help="A group's agreements: goals for how it shares the floor, judged on every "
                             "session.", no_args_is_help=True)
OPTION_KINDS = {"max-share": ag.MAX_SHARE, "min-share": ag.MIN_SHARE, "max-monologue": ag.MAX_MONOLOGUE,
                "max-interruptions": ag.MAX_INTERRUPTIONS, "many-to-many": ag.MIN_MANY_TO_MANY}
Group = Annotated[str, typer.Argument(help="Group name.")]


def register(app: typer.Typer) -> None:  # noqa: ARG001 - the goals live under `groups`
    groups_app.add_typer(goals_app, name="goals")


def parse_percent(text: str, option: str) -> float:
    """``35`` or ``35%`` -> 0.35 (always a percentage)."""
    return _number(text.strip().rstrip("%").strip(), option, "a percentage such as 35") / 100


def parse_duration(text: str, option: str) -> float:
    """``2m``, ``120s``, ``120``, ``1:30`` or ``1.5min`` -> seconds."""
    value = text.strip().lower().replace(" ", "")
    if match := re.fullmatch(r"(\d+):([0-5]\d)", value):
        return int(match[1]) * 60 + int(match[2])
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)(m|min|mins|minutes?)", value):
        return float(match[1]) * 60
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)(s|sec|secs|seconds?)?", value):
        return float(match[1])
    raise ConfigError(f"{option} {text!r}: not a duration; give minutes (2m), seconds (120s) or m:ss (2:00)")


def _number(text: str, option: str, example: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r}: not a number; give {example}") from None


def changes_from_options(max_share: str | None, min_share: str | None, max_monologue: str | None,
                         max_interruptions: str | None, many_to_many: str | None,
                         off: list[str]) -> dict[str, float | None]:
    changes: dict[str, float | None] = {}
    if max_share is not None:
        changes[ag.MAX_SHARE] = parse_percent(max_share, "--max-share")
    if min_share is not None:
        changes[ag.MIN_SHARE] = parse_percent(min_share, "--min-share")
    if max_monologue is not None:
        changes[ag.MAX_MONOLOGUE] = parse_duration(max_monologue, "--max-monologue")
    if max_interruptions is not None:
        changes[ag.MAX_INTERRUPTIONS] = _number(max_interruptions, "--max-interruptions", "a number per hour")
    if many_to_many is not None:
        changes[ag.MIN_MANY_TO_MANY] = parse_percent(many_to_many, "--many-to-many")
    for name in off:
        kind = OPTION_KINDS.get(name.strip().lstrip("-"))
        if kind is None:
            raise ConfigError(f"--off {name!r}: not a goal; use one of: {', '.join(OPTION_KINDS)}")
        changes[kind] = None
    return changes


@goals_app.command("set")
def set_goals(
    group: Group,
    max_share: Annotated[Optional[str], typer.Option("--max-share", help="No one above this share of the "
                                                     "speech, in % (starting set: 35).")] = None,
    min_share: Annotated[Optional[str], typer.Option("--min-share", help="Every attendee at least this share "
                                                     "of the speech, in % (starting set: 5).")] = None,
    max_monologue: Annotated[Optional[str], typer.Option("--max-monologue", help="No one speaks longer than "
                                                         "this at a stretch: 2m, 90s, 1:30 "
                                                         "(starting set: 2m).")] = None,
    max_interruptions: Annotated[Optional[str], typer.Option("--max-interruptions", help="At most this many "
                                                             "interruptions that take the floor per hour "
                                                             "(starting set: 60).")] = None,
    many_to_many: Annotated[Optional[str], typer.Option("--many-to-many", help="Three or more people taking "
                                                        "part for at least this share of the meeting, in % "
                                                        "(starting set: 50).")] = None,
    off: Annotated[Optional[list[str]], typer.Option("--off", help="Drop a goal: max-share, min-share, "
                                                     "max-monologue, max-interruptions, many-to-many "
                                                     "(repeatable).")] = None,
    starting_set: Annotated[bool, typer.Option("--starting-set", help="Start from Floorshare's starting set "
                                               "(see `goals show`) instead of the goals in force.")] = False,
    valid_from: Annotated[Optional[str], typer.Option("--from", help="First meeting day these goals apply to "
                                                      "(YYYY-MM-DD; default today). Earlier meetings keep "
                                                      "the goals in force then.")] = None,
    db: o.Db = None,
) -> None:
    """Agree on goals: a new version of the group's agreements (earlier sessions keep theirs)."""
    from analyzer.core.dates import parse_given_date

    with opened_store(db) as store:
        changes = changes_from_options(max_share, min_share, max_monologue, max_interruptions, many_to_many,
                                       off or [])
        if not changes and not starting_set:
            raise ConfigError("nothing to set; give --starting-set or a goal such as --max-share 35 "
                              "(see --help)")
        day = parse_given_date(valid_from, what="--from")[:10] if valid_from else None
        base = () if starting_set else _current(store, group)
        goals = ag.with_changes(ag.STARTING_GOALS if starting_set else base, changes)
        version = store.set_goals(group, goals, valid_from=day)
    console.print(f"{group}: agreements version {version.version}, in force for meetings from "
                  f"{version.valid_from}", highlight=False)
    for goal in version.goals:
        console.print(f"  - {goal_text(goal)}", highlight=False)
    if not version.goals:
        console.print("  (no goals)")


def _current(store, group: str) -> tuple[ag.Goal, ...]:  # noqa: ANN001 - SessionStore
    if group not in store.list_groups():
        return ()
    latest = max(store.goal_versions(group), key=lambda v: (v.valid_from, v.version), default=None)
    return latest.goals if latest else ()


@goals_app.command("show")
def show_goals(group: Group, db: o.Db = None, as_json: Json = False) -> None:
    """The goals in force for the group's next meeting, with the reason for each, and the starting set."""
    with opened_store(db) as store:
        history = store.goal_versions(group)
    latest = max(history, key=lambda v: (v.valid_from, v.version), default=None)
    if as_json:
        _print_json({"group": group, "version": _version_dict(latest) if latest else None,
                     "starting_set": [_goal_dict(g) for g in ag.STARTING_GOALS]})
        return
    if latest is None:
        console.print(f"{group} has no agreements yet. The starting set "
                      f"(`floorshare groups goals set {group} --starting-set`):", highlight=False)
    else:
        console.print(f"{group}: agreements version {latest.version}, in force from {latest.valid_from}",
                      highlight=False)
    table = Table()
    for column in ("goal", "target", "why"):
        table.add_column(column, overflow="fold")
    for goal in latest.goals if latest else ag.STARTING_GOALS:
        table.add_row(goal_text(goal), value_text(goal.kind, goal.target), ag.REASONS[goal.kind])
    console.print(table)


@goals_app.command("history")
def history(group: Group, db: o.Db = None, as_json: Json = False) -> None:
    """Every version of the group's agreements, oldest first."""
    with opened_store(db) as store:
        versions = store.goal_versions(group)
    if as_json:
        _print_json([_version_dict(v) for v in versions])
        return
    table = Table(title=f"{group}: agreements")
    for column in ("version", "in force from", "goals"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(str(v.version), v.valid_from, "; ".join(goal_text(g) for g in v.goals) or "(none)")
    console.print(table if versions else f"{group} has no agreements yet", highlight=False)


def _goal_dict(goal: ag.Goal) -> dict:
    return {"kind": goal.kind, "target": goal.target, "text": goal_text(goal), "reason": ag.REASONS[goal.kind]}


def _version_dict(version: ag.GoalVersion) -> dict:
    return {"version": version.version, "valid_from": version.valid_from, "created_at": version.created_at,
            "goals": [_goal_dict(g) for g in version.goals]}
