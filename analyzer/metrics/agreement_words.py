"""Agreements in plain words, for the CLI, the HTML report, the dashboard and the feedback view.

Pure. ``name`` turns a speaker label into the group's name for that person; pass None to say
"one person" instead of a name (the feedback view shown to the whole group names no one in
the agreements).
"""

from __future__ import annotations

from typing import Callable

from analyzer.metrics.agreements import (
    MAX_INTERRUPTIONS, MAX_MONOLOGUE, MAX_SHARE, MIN_MANY_TO_MANY, MIN_SHARE, GoalCheck, Goal, Movement,
    SessionAgreements,
)

Namer = Callable[[str], str] | None


def clock(seconds: float) -> str:
    """``95`` -> ``1:35``; ``3725`` -> ``1:02:05``."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _minutes(seconds: float) -> str:
    if seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{clock(seconds)} (min:s)"


def value_text(kind: str, value: float) -> str:
    """A measure in the goal's unit: ``31 %``, ``1:35``, ``24 per hour``."""
    if kind in (MAX_SHARE, MIN_SHARE, MIN_MANY_TO_MANY):
        return f"{value:.0%}".replace("%", " %")
    if kind == MAX_MONOLOGUE:
        return clock(value)
    return f"{value:.0f} per hour"


def _difference(kind: str, amount: float) -> str:
    amount = abs(amount)
    if kind in (MAX_SHARE, MIN_SHARE, MIN_MANY_TO_MANY):
        points = round(amount * 100)
        return f"{points} point{'s' if points != 1 else ''}"
    if kind == MAX_MONOLOGUE:
        return clock(amount) if amount >= 60 else f"{amount:.0f} s"
    return f"{amount:.0f} per hour"


def goal_text(goal: Goal) -> str:
    """The agreement as the group would say it."""
    t = goal.target
    if goal.kind == MAX_SHARE:
        return f"No one above {value_text(MAX_SHARE, t)} of the speech"
    if goal.kind == MIN_SHARE:
        return f"Everyone has at least {value_text(MIN_SHARE, t)} of the speech"
    if goal.kind == MAX_MONOLOGUE:
        return f"No one speaks longer than {_minutes(t)} at a stretch"
    if goal.kind == MAX_INTERRUPTIONS:
        return f"At most {t:.0f} interruptions that take the floor per hour"
    if goal.kind == MIN_MANY_TO_MANY:
        return f"Three or more people taking part for at least {value_text(MIN_MANY_TO_MANY, t)} of the meeting"
    return f"{goal.kind} {t:g}"


def _person(who: str | None, name: Namer, fallback: str) -> str:
    if who is None:
        return fallback
    return name(who) if name is not None else fallback


def check_text(check: GoalCheck, name: Namer = None) -> str:
    """``Kept: the largest share was 31 % (Ana), 4 points under the limit.``"""
    kind, value = check.goal.kind, check.measured
    if value is None:
        return "Not measured: this meeting has too little speech to tell."
    verdict = "Kept" if check.kept else "Not kept"
    room = _difference(kind, check.margin or 0.0)
    if kind == MAX_SHARE:
        who = _person(check.who, name, "one person")
        detail = f"the largest share was {value_text(kind, value)} ({who})" if name else \
            f"the largest share was {value_text(kind, value)}"
        side = "under" if check.kept else "over"
    elif kind == MIN_SHARE:
        who = _person(check.who, name, "someone")
        detail = f"the smallest share was {value_text(kind, value)} ({who})" if name else \
            f"the smallest share was {value_text(kind, value)}"
        side = "above" if check.kept else "short of"
    elif kind == MAX_MONOLOGUE:
        who = _person(check.who, name, "one person")
        detail = f"the longest stretch by one person was {clock(value)}" + (f" ({who})" if name else "")
        side = "under" if check.kept else "over"
    elif kind == MAX_INTERRUPTIONS:
        detail = f"{value_text(kind, value)}"
        side = "under" if check.kept else "over"
    else:
        detail = f"{value_text(kind, value)} of the meeting"
        side = "above" if check.kept else "short of"
    if abs(check.margin or 0.0) < 0.005 and kind != MAX_MONOLOGUE:
        return f"{verdict}: {detail}, right at the limit."
    return f"{verdict}: {detail}, {room} {side} the goal."


MEASURE_NAMES = {MAX_SHARE: "largest share", MIN_SHARE: "smallest share", MAX_MONOLOGUE: "longest stretch",
                 MAX_INTERRUPTIONS: "interruptions taking the floor", MIN_MANY_TO_MANY: "time with three or more"}


def movement_text(movement: Movement) -> str:
    """``largest share 48 % -> 31 % since the last meeting, closer to the goal``."""
    kind = movement.kind
    before, now = value_text(kind, movement.previous), value_text(kind, movement.current)
    if movement.towards_goal is None:
        return f"{MEASURE_NAMES[kind]} {now}, as at the last meeting"
    direction = "closer to the goal" if movement.towards_goal else "further from the goal"
    return f"{MEASURE_NAMES[kind]} {before} → {now} since the last meeting, {direction}"


def summary_line(agreements: SessionAgreements) -> str:
    """``3 of 5 agreements kept`` (or why there are none)."""
    if agreements.version is None:
        if agreements.first_valid_from:
            return (f"No agreements were in force yet at this meeting (the group's first ones apply from "
                    f"{agreements.first_valid_from}).")
        return "The group has no agreements yet."
    if not agreements.checks:
        return "The group's agreements in force at this meeting are empty."
    judged = agreements.judged
    if not judged:
        return "The agreements could not be measured on this meeting."
    return f"{agreements.kept} of {judged} agreements kept (version {agreements.version.version}, " \
           f"in force from {agreements.version.valid_from})."


def agreement_lines(agreements: SessionAgreements, name: Namer = None) -> list[tuple[str, str, str | None]]:
    """(goal, check, movement or None) per agreement, in the order the group set them."""
    return [(goal_text(c.goal), check_text(c, name),
             movement_text(m) if (m := agreements.movement(c.goal.kind)) is not None else None)
            for c in agreements.checks]
