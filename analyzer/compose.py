"""Compose meetings with exact ground truth from real single-speaker recordings.

A scenario (TOML, see ``eval/scenarios/``) names the people, the voice of each
(a LibriSpeech reader folder of ``tests/data/voices/``) and a sequence of steps:
plain turns, backchannels, and successful / unsuccessful / cooperative / silent
interruptions. :func:`compose_meeting` lays the steps out on a timeline, fills
them with the readers' real phrases (cut at the pauses between phrases, re-used
cyclically) and returns the mix with its reference: every speech segment (RTTM),
every interruption with its type and time, the backchannels and the verdict the
scenario was written to produce. Nothing outside a declared segment is speech:
the gaps are digital silence unless the scenario asks for a noise floor.

The interruption kinds follow docs/metrics.md (Ferguson/Beattie):

- ``successful``: the newcomer starts while the floor holder is mid-phrase; the
  holder stops ``overlap`` s later (default 0.8 s) and the newcomer keeps the floor.
- ``unsuccessful``: the newcomer talks over the holder for ``seconds`` (default 2 s)
  and gives up; the holder never stops.
- ``cooperative``: the newcomer starts in the holder's last ``overlap`` s (default
  0.3 s) of a complete phrase (terminal overlap).
- ``silent``: the holder stops mid-phrase and the newcomer starts ``gap`` s later
  (default 0.15 s) with no overlap.
- ``backchannel``: a short phrase (<= ``seconds``, default 0.6 s) inside the holder's turn.
"""

from __future__ import annotations

import json
import tomllib
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import InputFormatError
from analyzer.schema import Interruption, SpeakerSegment

SAMPLE_RATE = 16_000
DEFAULT_VOICES = Path(__file__).resolve().parents[1] / "tests" / "data" / "voices"
FLOOR_KINDS = ("turn", "successful", "cooperative", "silent")
INSIDE_KINDS = ("backchannel", "unsuccessful")
VERDICTS = ("one_to_many", "hub_and_spoke", "many_to_many")
TARGET_RMS_DBFS = -23.0
LEAD_IN_S = 0.5
TAIL_S = 1.0
_FRAME = 160  # 10 ms at 16 kHz
_DEFAULTS = {"successful": {"overlap": 0.8}, "cooperative": {"overlap": 0.3}, "silent": {"gap": 0.15},
             "backchannel": {"seconds": 0.6}, "unsuccessful": {"seconds": 2.0}}


@dataclass(frozen=True, slots=True)
class Person:
    """An attendee: a voice folder name, a level change in dB, or ``silent`` (never speaks)."""

    name: str
    voice: str | None
    gain_db: float = 0.0
    silent: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One entry of ``[[turns]]``: who does what, for how long (seconds of speech)."""

    who: str
    kind: str
    seconds: float
    gap: float | None = None
    overlap: float | None = None
    at: float | None = None


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


@dataclass(frozen=True, slots=True)
class Backchannel:
    """A short vocalisation by ``speaker`` while ``listener`` holds the floor."""

    time: float
    speaker: str
    listener: str
    duration: float


@dataclass(frozen=True)
class ComposedMeeting:
    """The mix (16 kHz mono float32) and its exact reference."""

    scenario: Scenario
    samples: np.ndarray
    segments: tuple[SpeakerSegment, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def attendees(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.scenario.people)


# ----------------------------------------------------------------------------- scenario files

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
    """Build a :class:`Scenario` from the TOML structure (see :func:`load_scenario`)."""
    _check_keys(data, {"meeting", "people", "turns"}, source, "top level")
    meeting = data.get("meeting", {})
    _check_keys(meeting, {"name", "verdict", "seed", "gap_s", "noise_dbfs", "repeat", "voices"}, source, "[meeting]")
    verdict = str(meeting.get("verdict", ""))
    if verdict not in VERDICTS:
        raise InputFormatError(f"{source}: [meeting] verdict {verdict!r} must be one of {', '.join(VERDICTS)}")
    people = tuple(_parse_person(name, value, source) for name, value in data.get("people", {}).items())
    if not people:
        raise InputFormatError(f"{source}: no [people.<name>] tables; declare who attends")
    raw_steps = data.get("turns", [])
    steps = tuple(_parse_step(i, raw, source) for i, raw in enumerate(raw_steps, start=1))
    steps = steps * int(meeting.get("repeat", 1))
    gap = meeting.get("gap_s", [0.5, 1.0])
    scenario = Scenario(name=str(meeting.get("name") or Path(source).stem), verdict=verdict, people=people,
                        steps=steps, seed=int(meeting.get("seed", 0)), gap_s=(float(gap[0]), float(gap[1])),
                        noise_dbfs=_optional_float(meeting.get("noise_dbfs")), voices_dir=Path(voices_dir),
                        source=source)
    _validate(scenario)
    return scenario


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
    _check_keys(value, {"voice", "gain_db", "silent"}, source, f"[people.{name}]")
    silent = bool(value.get("silent", False))
    voice = value.get("voice")
    if voice is None and not silent:
        raise InputFormatError(f"{source}: [people.{name}] needs a voice (a folder of the voices directory) "
                               "or silent = true")
    return Person(name=name, voice=None if voice is None else str(voice),
                  gain_db=float(value.get("gain_db", 0.0)), silent=silent)


def _parse_step(index: int, raw: Any, source: str) -> Step:
    where = f"{source}: [[turns]] entry {index}"
    if not isinstance(raw, dict):
        raise InputFormatError(f"{where} must be a table")
    _check_keys(raw, {"who", "kind", "seconds", "gap", "overlap", "at"}, source, f"[[turns]] entry {index}")
    kind = str(raw.get("kind", "turn"))
    if kind not in FLOOR_KINDS + INSIDE_KINDS:
        raise InputFormatError(f"{where}: kind {kind!r} must be one of {', '.join(FLOOR_KINDS + INSIDE_KINDS)}")
    defaults = _DEFAULTS.get(kind, {})
    seconds = raw.get("seconds", defaults.get("seconds"))
    if "who" not in raw or seconds is None or float(seconds) <= 0:
        raise InputFormatError(f"{where}: give who = \"<person>\" and seconds > 0")
    return Step(who=str(raw["who"]), kind=kind, seconds=float(seconds),
                gap=_optional_float(raw.get("gap", defaults.get("gap"))),
                overlap=_optional_float(raw.get("overlap", defaults.get("overlap"))),
                at=_optional_float(raw.get("at")))


def _validate(scenario: Scenario) -> None:
    people = {p.name: p for p in scenario.people}
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


# ----------------------------------------------------------------------------- voices

@dataclass
class Voice:
    """A reader's phrases (trimmed, level-normalised), handed out cyclically."""

    name: str
    phrases: list[np.ndarray]
    utterance_ends: list[bool]
    cursor: int = 0
    short_cursor: int = 0
    short: list[np.ndarray] = field(default_factory=list)

    def take(self, seconds: float, rng: np.random.Generator, cut: bool,
             min_keep_s: float = 1.2) -> list[tuple[float, np.ndarray]]:
        """Phrases with 0.2-0.45 s pauses up to ``seconds`` of speech: (offset s, samples).

        ``cut``: stop mid-phrase (an unfinished sentence) near ``seconds``, keeping at
        least ``min_keep_s`` of the last phrase; otherwise finish the phrase, and the utterance
        when that adds at most 3 s.
        """
        pieces: list[tuple[float, np.ndarray]] = []
        offset, spoken = 0.0, 0.0
        while cut or spoken < seconds - 1e-6 or self._finish_utterance():
            phrase = self.phrases[self.cursor % len(self.phrases)]
            self.cursor += 1
            length = len(phrase) / SAMPLE_RATE
            if cut and spoken + length > seconds and length >= min_keep_s + 0.2:
                # stop mid-phrase, with at least min_keep_s of that phrase heard and 0.2 s left unsaid
                keep = min(max(seconds - spoken, min_keep_s), length - 0.2)
                pieces.append((offset, _cut(phrase, keep)))
                break
            pieces.append((offset, phrase))
            spoken += length
            offset += length + float(rng.uniform(0.2, 0.45))
        return pieces

    def _finish_utterance(self, limit_s: float = 3.0) -> bool:
        """True when the last phrase handed out did not end its utterance and the rest is short."""
        last = (self.cursor - 1) % len(self.phrases)
        if self.utterance_ends[last]:
            return False
        rest, index = 0.0, self.cursor
        while True:
            rest += len(self.phrases[index % len(self.phrases)]) / SAMPLE_RATE
            if self.utterance_ends[index % len(self.phrases)]:
                return rest <= limit_s
            index += 1

    def take_short(self, max_seconds: float) -> np.ndarray:
        """A short phrase (a word or two) no longer than ``max_seconds``."""
        fitting = [p for p in self.short if len(p) <= max_seconds * SAMPLE_RATE]
        if fitting:
            self.short_cursor += 1
            return fitting[self.short_cursor % len(fitting)]
        phrase = self.phrases[self.cursor % len(self.phrases)]
        self.cursor += 1
        return _cut(phrase, min(max_seconds, len(phrase) / SAMPLE_RATE))


_VOICE_CACHE: dict[tuple[str, str], tuple[list[np.ndarray], list[bool]]] = {}


def load_voice(voices_dir: Path, name: str, gain_db: float = 0.0) -> Voice:
    """Decode a reader's utterances, split them into phrases and set their level."""
    key = (str(voices_dir), name)
    if key not in _VOICE_CACHE:
        from analyzer.audio import load_audio

        folder = voices_dir / name
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".flac", ".wav")) \
            if folder.is_dir() else []
        if not files:
            known = sorted(p.name for p in voices_dir.iterdir() if p.is_dir()) if voices_dir.is_dir() else []
            raise InputFormatError(f"{folder}: no voice recordings (flac/wav) there; use one of "
                                   f"{', '.join(known) or 'none found'} or pass --voices DIR")
        phrases, ends = [], []
        for file in files:
            pieces = split_phrases(load_audio(file).samples)
            phrases.extend(pieces)
            ends.extend(i == len(pieces) - 1 for i in range(len(pieces)))
        _VOICE_CACHE[key] = (_normalise(phrases), ends)
    cached, ends = _VOICE_CACHE[key]
    phrases = [p * np.float32(10 ** (gain_db / 20)) for p in cached]
    short = sorted((p for p in phrases if len(p) <= SAMPLE_RATE), key=len)
    return Voice(name=name, phrases=phrases, utterance_ends=list(ends), short=short)


def split_phrases(samples: np.ndarray, min_pause_s: float = 0.25, pad_s: float = 0.05) -> list[np.ndarray]:
    """Cut a clean single-speaker recording at its pauses (energy below an adaptive floor)."""
    frames = len(samples) // _FRAME
    if frames == 0:
        return []
    energy = samples[: frames * _FRAME].reshape(frames, _FRAME)  # (frames, 160)
    level = 10 * np.log10(np.mean(energy.astype(np.float64) ** 2, axis=1) + 1e-12)  # (frames,) dBFS
    threshold = max(np.percentile(level, 10) + 12.0, np.percentile(level, 95) - 35.0)
    runs = _runs(level > threshold)
    merged: list[list[int]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] < min_pause_s * 100:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    pad = int(pad_s * SAMPLE_RATE)
    return [samples[max(0, s * _FRAME - pad): min(len(samples), e * _FRAME + pad)].copy()
            for s, e in merged if e - s >= 10]


def _cut(phrase: np.ndarray, seconds: float) -> np.ndarray:
    """The first ``seconds`` of a phrase with a 5 ms fade-out (no click at the cut)."""
    piece = phrase[: int(round(seconds * SAMPLE_RATE))].copy()
    ramp = min(80, len(piece))
    piece[len(piece) - ramp:] *= np.linspace(1.0, 0.0, ramp, dtype=np.float32)
    return piece


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _normalise(phrases: list[np.ndarray]) -> list[np.ndarray]:
    if not phrases:
        return phrases
    rms = float(np.sqrt(np.mean(np.concatenate(phrases).astype(np.float64) ** 2)))
    scale = np.float32(10 ** (TARGET_RMS_DBFS / 20) / max(rms, 1e-9))
    fade = np.linspace(0.0, 1.0, 160, dtype=np.float32)  # 10 ms ramps avoid clicks at the cuts
    out = []
    for phrase in phrases:
        phrase = phrase * scale
        n = min(len(fade), len(phrase) // 2)
        phrase[:n] *= fade[:n]
        phrase[len(phrase) - n:] *= fade[:n][::-1]
        out.append(phrase)
    return out


# ----------------------------------------------------------------------------- layout and mix

@dataclass
class _Placed:
    speaker: str
    start: float
    pieces: list[tuple[float, np.ndarray]]

    @property
    def end(self) -> float:
        offset, samples = self.pieces[-1]
        return self.start + offset + len(samples) / SAMPLE_RATE


def compose_meeting(scenario: Scenario) -> ComposedMeeting:
    """Lay out the scenario's steps, mix the phrases and derive the exact reference.

    Raises:
        InputFormatError: a step does not fit (an interruption longer than the turn
            it interrupts, an inside step beyond the end of the turn), or a voice is missing.
    """
    rng = np.random.default_rng(scenario.seed)
    voices = {p.name: load_voice(scenario.voices_dir, p.voice, p.gain_db)
              for p in scenario.people if not p.silent and p.voice}
    placed: list[_Placed] = []
    interruptions: list[Interruption] = []
    backchannels: list[Backchannel] = []
    floor: _Placed | None = None
    for index, step in enumerate(scenario.steps):
        where = f"{scenario.source}: step {index + 1} of [[turns]] (after repeats)"
        if step.kind in FLOOR_KINDS:
            cut = _next_floor_kind(scenario.steps, index) in ("successful", "silent")
            pieces = voices[step.who].take(step.seconds, rng, cut)
            start = _floor_start(step, floor, scenario, rng, where)
            turn = _Placed(step.who, start, pieces)
            if floor is not None and step.kind != "turn":
                interruptions.append(Interruption(time=round(start, 3), interrupter=step.who,
                                                  interrupted=floor.speaker, type=step.kind,
                                                  overlap=round(max(0.0, floor.end - start), 3)))
            placed.append(turn)
            floor = turn
            continue
        inside = _inside_step(step, floor, voices[step.who], rng, where)
        placed.append(inside)
        if step.kind == "backchannel":
            backchannels.append(Backchannel(round(inside.start, 3), step.who, floor.speaker,
                                            round(inside.end - inside.start, 3)))
        else:
            interruptions.append(Interruption(time=round(inside.start, 3), interrupter=step.who,
                                              interrupted=floor.speaker, type="unsuccessful",
                                              overlap=round(inside.end - inside.start, 3)))
    samples, segments = _mix(placed, scenario, rng)
    return ComposedMeeting(scenario=scenario, samples=samples, segments=segments,
                           interruptions=tuple(interruptions), backchannels=tuple(backchannels))


def _next_floor_kind(steps: tuple[Step, ...], index: int) -> str | None:
    for step in steps[index + 1:]:
        if step.kind in FLOOR_KINDS:
            return step.kind
    return None


def _floor_start(step: Step, floor: _Placed | None, scenario: Scenario, rng: np.random.Generator,
                 where: str) -> float:
    if floor is None:
        return LEAD_IN_S
    if step.who == floor.speaker:
        raise InputFormatError(f"{where}: {step.who!r} already holds the floor; a {step.kind} needs "
                               "another speaker")
    if step.kind == "turn":
        gap = step.gap if step.gap is not None else float(rng.uniform(*scenario.gap_s))
        return floor.end + gap
    if step.kind == "silent":
        return floor.end + (step.gap or 0.0)
    overlap = step.overlap or 0.0
    if overlap >= floor.end - floor.start:
        raise InputFormatError(f"{where}: overlap {overlap} s is longer than the turn it interrupts; "
                               "shorten the overlap or lengthen the previous turn")
    return floor.end - overlap


def _inside_step(step: Step, floor: _Placed | None, voice: Voice, rng: np.random.Generator,
                 where: str) -> _Placed:
    if floor is None or step.who == floor.speaker:
        raise InputFormatError(f"{where}: a {step.kind} needs another person holding the floor before it")
    if step.kind == "backchannel":
        pieces = [(0.0, voice.take_short(step.seconds))]
    else:
        pieces = voice.take(step.seconds, rng, cut=True, min_keep_s=0.4)
    length = pieces[-1][0] + len(pieces[-1][1]) / SAMPLE_RATE
    span = floor.end - floor.start
    at = step.at if step.at is not None else float(rng.uniform(0.3, 0.6)) * span
    if at < 0.5 or at + length > span - 0.5:
        raise InputFormatError(f"{where}: the {step.kind} at {at:.1f} s for {length:.1f} s does not fit inside "
                               f"the {span:.1f} s turn of {floor.speaker!r}; change 'at' or lengthen that turn")
    return _Placed(step.who, floor.start + at, pieces)


def _mix(placed: list[_Placed], scenario: Scenario,
         rng: np.random.Generator) -> tuple[np.ndarray, tuple[SpeakerSegment, ...]]:
    total = max(p.end for p in placed) + TAIL_S
    mix = np.zeros(int(np.ceil(total * SAMPLE_RATE)), dtype=np.float32)  # (samples,)
    segments = []
    for turn in placed:
        for offset, samples in turn.pieces:
            first = int(round((turn.start + offset) * SAMPLE_RATE))
            mix[first: first + len(samples)] += samples
            segments.append(SpeakerSegment(round(first / SAMPLE_RATE, 3),
                                           round((first + len(samples)) / SAMPLE_RATE, 3), turn.speaker))
    if scenario.noise_dbfs is not None:
        mix += rng.normal(0.0, 10 ** (scenario.noise_dbfs / 20), size=len(mix)).astype(np.float32)
    peak = float(np.max(np.abs(mix))) if len(mix) else 0.0
    if peak > 0.99:  # one global scale keeps the level differences between people
        mix *= np.float32(0.99 / peak)
    return mix, tuple(sorted(segments, key=lambda s: (s.start, s.speaker)))


# ----------------------------------------------------------------------------- outputs

@dataclass(frozen=True, slots=True)
class ComposedFiles:
    """Where :func:`write_meeting` put the audio and its references."""

    audio: Path
    rttm: Path
    events: Path


def write_meeting(meeting: ComposedMeeting, out_dir: Path) -> ComposedFiles:
    """Write ``<name>.wav`` (16-bit PCM), ``<name>.rttm`` and ``<name>.events.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    name = meeting.scenario.name
    files = ComposedFiles(out_dir / f"{name}.wav", out_dir / f"{name}.rttm", out_dir / f"{name}.events.json")
    pcm = (np.clip(meeting.samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(files.audio), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    lines = [f"SPEAKER {name} 1 {s.start:.3f} {s.end - s.start:.3f} <NA> <NA> {s.speaker} <NA> <NA>"
             for s in meeting.segments]
    files.rttm.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files.events.write_text(json.dumps(meeting_events(meeting), indent=2) + "\n", encoding="utf-8")
    return files


def meeting_events(meeting: ComposedMeeting) -> dict[str, Any]:
    """The events file: verdict, attendees, interruptions (type and time) and backchannels."""
    scenario = meeting.scenario
    speaking: dict[str, float] = {}
    for s in meeting.segments:
        speaking[s.speaker] = round(speaking.get(s.speaker, 0.0) + s.end - s.start, 3)
    return {
        "scenario": scenario.name, "source": scenario.source, "duration": round(meeting.duration, 3),
        "verdict": scenario.verdict, "attendees": list(meeting.attendees),
        "silent_attendees": [p.name for p in scenario.people if p.silent],
        "voices": {p.name: p.voice for p in scenario.people if p.voice},
        "speaking_time": speaking,
        "interruptions": [{"time": i.time, "interrupter": i.interrupter, "interrupted": i.interrupted,
                           "type": i.type, "overlap": i.overlap} for i in meeting.interruptions],
        "backchannels": [{"time": b.time, "speaker": b.speaker, "listener": b.listener,
                          "duration": b.duration} for b in meeting.backchannels],
    }


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
        budget -= seconds + 1.5  # phrase completion and pauses add about 1.5 s per turn
    return Scenario(name=f"meeting_{minutes:g}min", verdict="many_to_many", people=people, steps=tuple(steps),
                    seed=seed, voices_dir=voices_dir, source=f"<synthetic {minutes:g} min>")
