"""Laying a scenario out on a timeline, mixing it, and writing the audio with its reference."""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.compose.scenario import FLOOR_KINDS, Scenario, Step
from analyzer.compose.voices import SAMPLE_RATE, Voice, load_voice
from analyzer.core.errors import InputFormatError
from analyzer.core.schema import Interruption, SpeakerSegment

LEAD_IN_S = 0.5
TAIL_S = 1.0


@dataclass(frozen=True, slots=True)
class Backchannel:
    """A short vocalisation by ``speaker`` while ``listener`` holds the floor."""

    time: float
    speaker: str
    listener: str
    duration: float


@dataclass(frozen=True, slots=True)
class LevelChange:
    """``speaker``'s voice raised (``gain_db`` > 0) or lowered from ``start`` to ``end`` (speech samples)."""

    speaker: str
    start: float
    end: float
    gain_db: float


@dataclass(frozen=True)
class ComposedMeeting:
    """The mix (16 kHz mono float32) and its exact reference."""

    scenario: Scenario
    samples: np.ndarray
    segments: tuple[SpeakerSegment, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    room: dict[str, Any] | None = None  # far-field rendering: rt60, size, snr_db, distances (m)
    level_changes: tuple[LevelChange, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def attendees(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.scenario.people)



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
    levels: list[LevelChange] = []
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
            levels.extend(_apply_gain(turn, step))
            floor = turn
            continue
        inside = _inside_step(step, floor, voices[step.who], rng, where)
        placed.append(inside)
        levels.extend(_apply_gain(inside, step))
        if step.kind == "backchannel":
            backchannels.append(Backchannel(round(inside.start, 3), step.who, floor.speaker,
                                            round(inside.end - inside.start, 3)))
        else:
            interruptions.append(Interruption(time=round(inside.start, 3), interrupter=step.who,
                                              interrupted=floor.speaker, type="unsuccessful",
                                              overlap=round(inside.end - inside.start, 3)))
    samples, segments, room = _mix(placed, scenario, rng)
    return ComposedMeeting(scenario=scenario, samples=samples, segments=segments,
                           interruptions=tuple(interruptions), backchannels=tuple(backchannels),
                           level_changes=tuple(levels), room=room)


def _apply_gain(placed: _Placed, step: Step) -> list[LevelChange]:
    """Scale the step's speech inside [gain_at, gain_at + gain_seconds) and return its exact extent.

    Pieces are copied before scaling (voices hand out shared phrase arrays); 10 ms ramps at the
    edges of the window avoid clicks. The extent runs from the first to the last scaled speech sample.
    """
    if step.gain_db == 0.0:
        return []
    first_at = step.gain_at
    last_at = first_at + step.gain_seconds if step.gain_seconds is not None else float("inf")
    gain = np.float32(10 ** (step.gain_db / 20))
    ramp = 160
    lo, hi = None, None
    for k, (offset, samples) in enumerate(placed.pieces):
        begin = max(0, int(round((first_at - offset) * SAMPLE_RATE)))
        end = min(len(samples), int(np.ceil((last_at - offset) * SAMPLE_RATE)) if last_at != float("inf")
                  else len(samples))
        if end <= begin:
            continue
        envelope = np.ones(len(samples), dtype=np.float32)  # (n,) 1 outside the window, gain inside
        envelope[begin:end] = gain
        for edge, rising in ((begin, True), (end, False)):
            if 0 < edge < len(samples):
                span = slice(max(0, edge - ramp // 2), min(len(samples), edge + ramp // 2))
                n = span.stop - span.start
                envelope[span] = np.linspace(1.0, gain, n) if rising else np.linspace(gain, 1.0, n)
        placed.pieces[k] = (offset, samples * envelope)
        lo = offset + begin / SAMPLE_RATE if lo is None else lo
        hi = offset + end / SAMPLE_RATE
    if lo is None:
        return []
    return [LevelChange(placed.speaker, round(placed.start + lo, 3), round(placed.start + hi, 3), step.gain_db)]


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
         rng: np.random.Generator) -> tuple[np.ndarray, tuple[SpeakerSegment, ...], dict[str, Any] | None]:
    total = max(p.end for p in placed) + TAIL_S
    length = int(np.ceil(total * SAMPLE_RATE))
    tracks: dict[str, np.ndarray] = {}  # person -> dry samples on the timeline
    segments = []
    for turn in placed:
        track = tracks.setdefault(turn.speaker, np.zeros(length, dtype=np.float32))
        for offset, samples in turn.pieces:
            first = int(round((turn.start + offset) * SAMPLE_RATE))
            track[first: first + len(samples)] += samples
            segments.append(SpeakerSegment(round(first / SAMPLE_RATE, 3),
                                           round((first + len(samples)) / SAMPLE_RATE, 3), turn.speaker))
    ordered = tuple(sorted(segments, key=lambda s: (s.start, s.speaker)))
    if scenario.room is not None:
        mix, distances = _in_room(tracks, segments, scenario, rng, length)
        room = scenario.room
        return mix, ordered, {"rt60": room.rt60, "size": list(room.size), "snr_db": room.snr_db,
                              "distances": distances}
    mix = np.sum(list(tracks.values()), axis=0).astype(np.float32) if tracks else np.zeros(length, np.float32)
    if scenario.noise_dbfs is not None:
        mix += rng.normal(0.0, 10 ** (scenario.noise_dbfs / 20), size=len(mix)).astype(np.float32)
    peak = float(np.max(np.abs(mix))) if len(mix) else 0.0
    if peak > 0.99:  # one global scale keeps the level differences between people
        mix *= np.float32(0.99 / peak)
    return mix, ordered, None


def _in_room(tracks: dict[str, np.ndarray], segments: list[SpeakerSegment], scenario: Scenario,
             rng: np.random.Generator, length: int) -> tuple[np.ndarray, dict[str, float]]:
    from analyzer.compose.room import default_distances, render

    speakers = [p.name for p in scenario.people if p.name in tracks]
    distances = default_distances(speakers, rng)
    distances.update({p.name: p.distance for p in scenario.people if p.name in tracks and p.distance})
    mask = np.zeros(length, dtype=bool)
    for seg in segments:
        mask[int(seg.start * SAMPLE_RATE): int(seg.end * SAMPLE_RATE)] = True
    return render({name: tracks[name] for name in speakers}, distances, scenario.room, mask, rng), distances


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
        "level_changes": [{"speaker": c.speaker, "start": c.start, "end": c.end, "gain_db": c.gain_db}
                          for c in meeting.level_changes],
    } | ({"room": meeting.room} if meeting.room is not None else {})
