"""Scenario files of the meeting composer: who attends, with which voice, and what happens.

See :mod:`analyzer.compose` for the step kinds and ``eval/scenarios/`` for examples.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.compose.room import Room
from analyzer.core.errors import InputFormatError
from analyzer.core.schema import VerdictLabel

DEFAULT_VOICES = Path(__file__).resolve().parents[2] / "tests" / "data" / "voices"
FLOOR_KINDS = ("turn", "successful", "cooperative", "silent")
INSIDE_KINDS = ("backchannel", "unsuccessful")
VERDICTS = tuple(v.value for v in VerdictLabel if v is not VerdictLabel.NO_SPEECH)
_DEFAULTS = {"successful": {"overlap": 0.8}, "cooperative": {"overlap": 0.3}, "silent": {"gap": 0.15},
             "backchannel": {"seconds": 0.6}, "unsuccessful": {"seconds": 2.0}}


@dataclass(frozen=True, slots=True)
class Person:
    """An attendee: a voice folder name, a level change in dB, or ``silent`` (never speaks)."""

    name: str
    voice: str | None
    gain_db: float = 0.0
    silent: bool = False
    distance: float | None = None  # metres from the microphone when the scenario has a [room]


@dataclass(frozen=True, slots=True)
class Step:
    """One entry of ``[[turns]]``: who does what, for how long (seconds of speech)."""

    who: str
    kind: str
    seconds: float
    gap: float | None = None
    overlap: float | None = None
    at: float | None = None
    gain_db: float = 0.0  # raise (> 0) or lower (< 0) this step's voice from gain_at for gain_seconds
    gain_at: float = 0.0  # seconds into the step (its own timeline, pauses included)
    gain_seconds: float | None = None  # None: to the end of the step


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed scenario; ``gap_s`` is the (min, max) silence between plain turns."""

    name: str
    verdict: str
    people: tuple[Person, ...]
    steps: tuple[Step, ...]
    seed: int = 0
    gap_s: tuple[float, float] = (0.5, 1.0)
    noise_dbfs: float | None = None
    voices_dir: Path = DEFAULT_VOICES
    source: str = ""
    room: Room | None = None  # render far-field (analyzer.compose.room); None: dry mix



def load_scenario(path: str | Path, voices_dir: Path | None = None) -> Scenario:
    """Read a scenario TOML file; errors name the file and the entry to fix.

    Args:
        path: the scenario file.
        voices_dir: the voices folder (default: ``[meeting] voices`` relative to the
            file, else ``tests/data/voices`` of this repository).

    Raises:
        InputFormatError: unreadable TOML, unknown keys, bad values or references.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFormatError(f"{file}: scenario file not found; check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputFormatError(f"{file}: not a valid TOML scenario ({exc}); fix the file") from None
    meeting = data.get("meeting", {})
    if "voices" in meeting and voices_dir is None:
        voices_dir = (file.parent / str(meeting["voices"])).resolve()
    return scenario_from_dict(data, source=str(file), voices_dir=voices_dir or DEFAULT_VOICES)


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>",
                       voices_dir: Path = DEFAULT_VOICES) -> Scenario:
    """Build a :class:`Scenario` from the TOML structure (see :func:`load_scenario`).

    Raises:
        InputFormatError: a missing or unknown key, or a value of the wrong type or range.
    """
    try:
        scenario = _build_scenario(data, source, voices_dir)
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise InputFormatError(f"{source}: invalid scenario value ({exc}); use tables for [meeting] and "
                               "[people.<name>], a list of [[turns]], numbers for seconds/gap/overlap/at/"
                               "gain_db/seed/repeat and gap_s = [min, max]") from None
    _validate(scenario)
    return scenario


def _build_scenario(data: dict[str, Any], source: str, voices_dir: Path) -> Scenario:
    _require(data, dict, source, "the scenario")
    _check_keys(data, {"meeting", "people", "turns", "room"}, source, "top level")
    meeting = _require(data.get("meeting", {}), dict, source, "[meeting]")
    _check_keys(meeting, {"name", "verdict", "seed", "gap_s", "noise_dbfs", "repeat", "voices"}, source, "[meeting]")
    verdict = str(meeting.get("verdict", ""))
    if verdict not in VERDICTS:
        raise InputFormatError(f"{source}: [meeting] verdict {verdict!r} must be one of {', '.join(VERDICTS)}")
    people_table = _require(data.get("people", {}), dict, source, "[people]")
    people = tuple(_parse_person(str(name), value, source) for name, value in people_table.items())
    if not people:
        raise InputFormatError(f"{source}: no [people.<name>] tables; declare who attends")
    raw_steps = _require(data.get("turns", []), list, source, "[[turns]]")
    steps = tuple(_parse_step(i, raw, source) for i, raw in enumerate(raw_steps, start=1))
    repeat = int(meeting.get("repeat", 1))
    gap = [float(g) for g in meeting.get("gap_s", [0.5, 1.0])]
    if repeat < 1 or len(gap) != 2 or not 0 <= gap[0] <= gap[1]:
        raise InputFormatError(f"{source}: [meeting] needs repeat >= 1 and gap_s = [min, max] with "
                               f"0 <= min <= max (got repeat = {repeat}, gap_s = {gap})")
    return Scenario(name=str(meeting.get("name") or Path(source).stem), verdict=verdict, people=people,
                    steps=steps * repeat, seed=int(meeting.get("seed", 0)), gap_s=(gap[0], gap[1]),
                    noise_dbfs=_optional_float(meeting.get("noise_dbfs")), voices_dir=Path(voices_dir),
                    source=source, room=_parse_room(data.get("room"), source))


def _parse_room(value: Any, source: str) -> Room | None:
    if value is None:
        return None
    _require(value, dict, source, "[room]")
    _check_keys(value, {"rt60", "size", "snr_db"}, source, "[room]")
    size = tuple(float(v) for v in value.get("size", (6.0, 5.0, 3.0)))
    room = Room(rt60=float(value.get("rt60", 0.5)), size=size, snr_db=float(value.get("snr_db", 18.0)))
    if len(size) != 3 or min(size) < 2.0 or size[2] > 6.0 or not 0.1 <= room.rt60 <= 2.0:
        raise InputFormatError(f"{source}: [room] needs size = [x, y, z] in metres (each >= 2, height <= 6) "
                               f"and 0.1 <= rt60 <= 2.0 s (got size = {list(size)}, rt60 = {room.rt60})")
    return room


def _require(value: Any, kind: type, source: str, where: str) -> Any:
    if not isinstance(value, kind):
        raise InputFormatError(f"{source}: {where} must be a {'table' if kind is dict else 'list'}, "
                               f"not {type(value).__name__}")
    return value


def _check_keys(table: dict[str, Any], known: set[str], source: str, where: str) -> None:
    unknown = set(table) - known
    if unknown:
        raise InputFormatError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} in {where}; "
                               f"known: {', '.join(sorted(known))}")


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _parse_person(name: str, value: Any, source: str) -> Person:
    if not isinstance(value, dict):
        raise InputFormatError(f"{source}: [people.{name}] must be a table like {{ voice = \"1688\" }}")
    _check_keys(value, {"voice", "gain_db", "silent", "distance"}, source, f"[people.{name}]")
    silent = bool(value.get("silent", False))
    voice = value.get("voice")
    if voice is None and not silent:
        raise InputFormatError(f"{source}: [people.{name}] needs a voice (a folder of the voices directory) "
                               "or silent = true")
    return Person(name=name, voice=None if voice is None else str(voice),
                  gain_db=float(value.get("gain_db", 0.0)), silent=silent,
                  distance=_optional_float(value.get("distance")))


def _parse_step(index: int, raw: Any, source: str) -> Step:
    where = f"{source}: [[turns]] entry {index}"
    if not isinstance(raw, dict):
        raise InputFormatError(f"{where} must be a table")
    _check_keys(raw, {"who", "kind", "seconds", "gap", "overlap", "at", "gain_db", "gain_at", "gain_seconds"},
                source, f"[[turns]] entry {index}")
    kind = str(raw.get("kind", "turn"))
    if kind not in FLOOR_KINDS + INSIDE_KINDS:
        raise InputFormatError(f"{where}: kind {kind!r} must be one of {', '.join(FLOOR_KINDS + INSIDE_KINDS)}")
    defaults = _DEFAULTS.get(kind, {})
    seconds = raw.get("seconds", defaults.get("seconds"))
    if "who" not in raw or seconds is None or float(seconds) <= 0:
        raise InputFormatError(f"{where}: give who = \"<person>\" and seconds > 0")
    gain_at, gain_seconds = float(raw.get("gain_at", 0.0)), _optional_float(raw.get("gain_seconds"))
    if gain_at < 0 or (gain_seconds is not None and gain_seconds <= 0):
        raise InputFormatError(f"{where}: give gain_at >= 0 and gain_seconds > 0 (seconds into the step)")
    return Step(who=str(raw["who"]), kind=kind, seconds=float(seconds),
                gap=_optional_float(raw.get("gap", defaults.get("gap"))),
                overlap=_optional_float(raw.get("overlap", defaults.get("overlap"))),
                at=_optional_float(raw.get("at")), gain_db=float(raw.get("gain_db", 0.0)), gain_at=gain_at,
                gain_seconds=gain_seconds)


def _validate(scenario: Scenario) -> None:
    people = {p.name: p for p in scenario.people}
    for person in scenario.people:
        if person.distance is None:
            continue
        if scenario.room is None or not 0.3 <= person.distance <= min(scenario.room.size[:2]) / 2:
            raise InputFormatError(f"{scenario.source}: [people.{person.name}] distance = {person.distance} needs "
                                   "a [room] table and must be between 0.3 m and half the room's width")
    if not scenario.steps or scenario.steps[0].kind != "turn":
        raise InputFormatError(f"{scenario.source}: the first [[turns]] entry must be a plain turn")
    for index, step in enumerate(scenario.steps, start=1):
        person = people.get(step.who)
        if person is None:
            raise InputFormatError(f"{scenario.source}: [[turns]] entry {index}: {step.who!r} is not declared "
                                   f"in [people]; known: {', '.join(people)}")
        if person.silent:
            raise InputFormatError(f"{scenario.source}: [[turns]] entry {index}: {step.who!r} is a silent "
                                   "attendee and cannot speak; remove the step or the silent flag")
        if step.kind == "backchannel" and step.seconds > 1.0:
            raise InputFormatError(f"{scenario.source}: [[turns]] entry {index}: a backchannel lasts at most "
                                   f"1 s, not {step.seconds}")



def synthetic_scenario(minutes: float, seed: int = 0, voices_dir: Path = DEFAULT_VOICES) -> Scenario:
    """A balanced 4-person meeting of about ``minutes`` with every interruption type (for benchmarks)."""
    rng = np.random.default_rng(seed)
    names = ("ana", "ben", "cleo", "dev")
    people = tuple(Person(n, v) for n, v in zip(names, ("3080", "2609", "533", "2414")))
    steps: list[Step] = []
    budget, previous = minutes * 60.0 - 2.0, None
    kinds = ("turn", "turn", "successful", "turn", "cooperative", "turn", "silent", "turn")
    while budget > 0:
        who = str(rng.choice([n for n in names if n != previous]))
        kind = kinds[len(steps) % len(kinds)] if steps else "turn"
        seconds = float(rng.uniform(8.0, 25.0))
        steps.append(Step(who, kind, seconds, gap=_DEFAULTS.get(kind, {}).get("gap"),
                          overlap=_DEFAULTS.get(kind, {}).get("overlap")))
        listener = str(rng.choice([n for n in names if n != who]))
        if len(steps) % 3 == 0:
            steps.append(Step(listener, "backchannel", 0.6, at=seconds * 0.4))
        elif len(steps) % 5 == 0:
            steps.append(Step(listener, "unsuccessful", 2.0, at=seconds * 0.3))
        previous = who
        budget -= seconds * 1.15 + 1.5  # finished phrases, pauses and gaps: measured 1.18x on 10 min
    return Scenario(name=f"meeting_{minutes:g}min", verdict="many_to_many", people=people, steps=tuple(steps),
                    seed=seed, voices_dir=voices_dir, source=f"<synthetic {minutes:g} min>")
