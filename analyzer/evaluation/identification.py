"""Scoring speaker identification across meetings: does a group's second meeting name the right people?

A *series* is two composed meetings of one group built from the same LibriSpeech readers,
with different recordings of each reader in each meeting (the readers' utterances are split
in two halves; a meeting uses one half, the meeting it is compared with the other). The
first meeting's speakers are named from the reference (as the group would name them); the
second meeting's speakers are matched to those voiceprints with :mod:`analyzer.voices.matching`,
the same code the store runs. A second meeting may hold a *stranger*: a reader who was not
in the first meeting and must not be named as anyone.

Figures, over the series:

- correct identification: the share of the known people's reference speech time that lies
  in speakers named after the right person, of the speech the diarizer found (in any speaker's
  exclusive track: what identification could name) and of all their reference speech (the
  difference is speech the diarizer missed, reported as ``missed_speech``);
- false acceptance: the share of the strangers' reference speech time that lies in speakers
  named after anyone, and the share of strangers named as someone.

The threshold is calibrated on series of one set of readers and reported on series of the
other set (:func:`calibrate`). Diarization outputs (segments and centroids) are cached as
JSON, so a threshold sweep never runs a model again.

``conditions = ["dry", "far-field"]`` scores the same series twice: as dry mixes and rendered
far-field (:mod:`analyzer.compose.room`), where each meeting gets its own shoebox room (RT60 and
SNR drawn from the ``[room]`` ranges, size from 5-8 x 4-6.5 x 2.7-3.2 m) and its own seats
(distances spread over 0.8-2.2 m in a random order, random angles), so a person's voiceprint
from one room is matched in another. One threshold is calibrated on the calibration series of
all conditions (the product has one); the figures are reported per condition, and for a dry
first meeting followed by a far-field second one.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Callable

import numpy as np

from analyzer.core.errors import InputFormatError
from analyzer.voices.matching import assign, profile

HALVES = ("a", "b")
CONDITIONS = ("dry", "far-field")


@dataclass(frozen=True, slots=True)
class IdentificationPlan:
    """What ``kind = "identification"`` in a manifest asks for."""

    name: str
    voices: Path
    calibrate: tuple[str, ...]
    report: tuple[str, ...]
    people: int = 3
    meetings_per_half: int = 4
    turn_s: tuple[float, float] = (4.0, 10.0)
    meeting_s: float = 75.0
    seed: int = 16
    target_false_acceptance: float = 0.02
    min_speech_s: float = 3.0
    conditions: tuple[str, ...] = ("dry",)  # of CONDITIONS
    room_rt60: tuple[float, float] = (0.35, 0.8)  # far-field: each meeting's RT60 drawn from this range (s)
    room_snr_db: tuple[float, float] = (12.0, 22.0)  # ... and its diffuse-noise SNR from this range (dB)


@dataclass(frozen=True, slots=True)
class MeetingRun:
    """One composed meeting's diarization as cached: reference and exclusive segments, centroids."""

    id: str
    half: str
    voices: tuple[str, ...]
    reference: tuple[tuple[float, float, str], ...]
    exclusive: tuple[tuple[float, float, str], ...]
    embeddings: dict[str, tuple[float, ...]]
    room: dict[str, Any] | None = None  # far-field: the meeting's room (rt60, size, snr_db); None: dry


@dataclass(frozen=True, slots=True)
class SeriesScore:
    known_s: float
    correct_s: float
    found_s: float  # the known people's reference speech that lies in any speaker's exclusive track
    stranger_s: float
    accepted_s: float
    strangers: int
    strangers_accepted: int
    labels_known: int
    labels_correct: int
    stranger_labels_named: int = 0  # labels whose speech is mostly a stranger's, named after someone


def load_plan(path: Path, data_root: Path) -> IdentificationPlan:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot read the manifest ({exc})") from None
    voices = str(data.get("voices", "$DATA/librispeech"))
    folder = data_root / voices[len("$DATA/"):] if voices.startswith("$DATA/") else (Path(path).parent / voices).resolve()
    room = data.get("room", {})
    try:
        conditions = tuple(str(c) for c in data.get("conditions", ("dry",)))
        if not conditions or not set(conditions) <= set(CONDITIONS) or len(set(conditions)) != len(conditions):
            raise ValueError(f"conditions = {list(conditions)}: give one or both of {', '.join(CONDITIONS)}")
        rt60 = tuple(float(x) for x in room.get("rt60", (0.35, 0.8)))
        snr = tuple(float(x) for x in room.get("snr_db", (12.0, 22.0)))
        if len(rt60) != 2 or len(snr) != 2 or not 0.1 <= rt60[0] <= rt60[1] <= 2.0 or snr[0] > snr[1]:
            raise ValueError(f"[room] needs rt60 = [low, high] within 0.1-2.0 s and snr_db = [low, high] "
                             f"(got rt60 = {list(rt60)}, snr_db = {list(snr)})")
        return IdentificationPlan(
            name=str(data.get("name", Path(path).stem)), voices=folder,
            calibrate=tuple(str(v) for v in data["calibrate"]), report=tuple(str(v) for v in data["report"]),
            people=int(data.get("people", 3)), meetings_per_half=int(data.get("meetings_per_half", 4)),
            meeting_s=float(data.get("meeting_s", 75.0)), seed=int(data.get("seed", 16)),
            target_false_acceptance=float(data.get("target_false_acceptance", 0.02)),
            min_speech_s=float(data.get("min_speech_s", 3.0)),
            conditions=conditions, room_rt60=rt60, room_snr_db=snr)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputFormatError(f"{path}: an identification manifest needs calibrate = [...] and report = [...] "
                               f"lists of reader folders, and optionally conditions = [\"dry\", \"far-field\"] "
                               f"and [room] ranges ({type(exc).__name__}: {exc})") from None


def is_identification_manifest(path: Path) -> bool:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8")).get("kind") == "identification"
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def meeting_specs(plan: IdentificationPlan, readers: tuple[str, ...], tag: str,
                  condition: str = "dry") -> list[dict[str, Any]]:
    """For each half, ``meetings_per_half`` meetings of ``people`` readers; far-field: the same
    meetings, each with its own room."""
    rng = np.random.default_rng(plan.seed + sum(map(ord, tag)))
    groups = list(combinations(readers, plan.people))
    specs = []
    for half in HALVES:
        order = rng.permutation(len(groups))[:plan.meetings_per_half]
        for i, g in enumerate(order):
            spec = {"id": f"{tag}-{half}{i}", "half": half, "voices": tuple(groups[g]),
                    "seed": int(rng.integers(1 << 30))}
            if condition == "far-field":
                spec["room"] = draw_room(plan, spec["seed"])
            specs.append(spec)
    return specs


def draw_room(plan: IdentificationPlan, seed: int) -> dict[str, Any]:
    """One meeting's room, drawn from its own generator (the dry plan's draws stay as they are)."""
    rng = np.random.default_rng([seed, 7])
    return {"rt60": round(float(rng.uniform(*plan.room_rt60)), 2),
            "size": [round(float(rng.uniform(5.0, 8.0)), 1), round(float(rng.uniform(4.0, 6.5)), 1),
                     round(float(rng.uniform(2.7, 3.2)), 1)],
            "snr_db": round(float(rng.uniform(*plan.room_snr_db)), 1)}


def half_voices_dir(voices: Path, half: str, cache: Path) -> Path:
    """A folder of links to one half of each reader's utterances (first or second half, sorted)."""
    target = cache / f"voices-{half}"
    for reader in sorted(p for p in voices.iterdir() if p.is_dir()):
        files = sorted(f for f in reader.iterdir() if f.suffix.lower() in (".flac", ".wav"))
        chosen = files[:len(files) // 2] if half == "a" else files[len(files) // 2:]
        folder = target / reader.name
        folder.mkdir(parents=True, exist_ok=True)
        for f in chosen:
            link = folder / f.name
            if not link.exists():
                link.symlink_to(f.resolve())
    return target


def compose(spec: dict[str, Any], plan: IdentificationPlan, voices_dir: Path):  # noqa: ANN201 - ComposedMeeting
    from analyzer.compose import Person, Scenario, Step, compose_meeting
    from analyzer.compose.room import Room

    rng = np.random.default_rng(spec["seed"])
    names = [f"v{v}" for v in spec["voices"]]
    steps, total, previous = [], 0.0, None
    while total < plan.meeting_s:
        who = str(rng.choice([n for n in names if n != previous] if len(steps) >= len(names)
                             else [names[len(steps)]]))
        seconds = float(rng.uniform(*plan.turn_s))
        steps.append(Step(who, "turn", seconds))
        total += seconds + 0.8
        previous = who
    scenario = Scenario(name=spec["id"], verdict="many_to_many",
                        people=tuple(Person(n, v) for n, v in zip(names, spec["voices"])), steps=tuple(steps),
                        seed=spec["seed"], voices_dir=voices_dir, source=f"<identification {spec['id']}>",
                        room=Room(rt60=spec["room"]["rt60"], size=tuple(spec["room"]["size"]),
                                  snr_db=spec["room"]["snr_db"]) if spec.get("room") else None)
    return compose_meeting(scenario)


def run_meeting(spec: dict[str, Any], plan: IdentificationPlan, cache: Path,
                diarize: Callable[[Any], Any]) -> MeetingRun:
    """Compose and diarize a meeting, or read it from the cache (keyed by the spec and the plan)."""
    key = hashlib.sha256(json.dumps([spec, plan.meeting_s, plan.turn_s, str(plan.voices)], default=str)
                         .encode()).hexdigest()[:12]
    file = cache / f"{spec['id']}-{key}.json"
    if file.is_file():
        return _from_json(json.loads(file.read_text()) | {"room": spec.get("room")})
    meeting = compose(spec, plan, half_voices_dir(plan.voices, spec["half"], cache))
    diarization = diarize(meeting)
    run = MeetingRun(
        id=spec["id"], half=spec["half"], voices=tuple(f"v{v}" for v in spec["voices"]),
        reference=tuple((s.start, s.end, s.speaker) for s in meeting.segments),
        exclusive=tuple((s.start, s.end, s.speaker) for s in diarization.exclusive),
        embeddings={k: tuple(v) for k, v in diarization.embeddings.items()}, room=spec.get("room"))
    cache.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(_to_json(run)))
    return run


def _to_json(run: MeetingRun) -> dict[str, Any]:
    return {"id": run.id, "half": run.half, "voices": list(run.voices), "reference": run.reference,
            "exclusive": run.exclusive, "embeddings": run.embeddings, "room": run.room}


def _from_json(data: dict[str, Any]) -> MeetingRun:
    return MeetingRun(data["id"], data["half"], tuple(data["voices"]),
                      tuple(tuple(x) for x in data["reference"]), tuple(tuple(x) for x in data["exclusive"]),
                      {k: tuple(v) for k, v in data["embeddings"].items()}, data.get("room"))


def _overlap(a: tuple[tuple[float, float, str], ...], label: str, b: tuple[tuple[float, float, str], ...],
             person: str) -> float:
    return sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1, l1 in a if l1 == label
               for s2, e2, p2 in b if p2 == person)


def _speech(run: MeetingRun) -> dict[str, float]:
    found: dict[str, float] = {}
    for s, e, label in run.exclusive:
        found[label] = found.get(label, 0.0) + e - s
    return found


def name_labels(run: MeetingRun) -> dict[str, str]:
    """What the group would name each label of a meeting: its majority reference person."""
    names = {}
    for label in _speech(run):
        overlaps = {p: _overlap(run.exclusive, label, run.reference, p) for p in run.voices}
        best = max(overlaps, key=overlaps.get)
        if overlaps[best] > 0:
            names[label] = best
    return names


def library_from(run: MeetingRun, min_speech_s: float) -> dict[str, np.ndarray]:
    """Profiles of the people named in a first meeting (labels with enough speech only)."""
    speech, names = _speech(run), name_labels(run)
    vectors: dict[str, tuple[list, list]] = {}
    for label, person in names.items():
        if label in run.embeddings and speech[label] >= min_speech_s:
            v, w = vectors.setdefault(person, ([], []))
            v.append(run.embeddings[label])
            w.append(speech[label])
    return {p: profile(v, w) for p, (v, w) in vectors.items()}


def similarities(first: MeetingRun, second: MeetingRun, min_speech_s: float) -> tuple[dict, dict]:
    """The second meeting's usable speakers and the first meeting's profiles."""
    speech = _speech(second)
    speakers = {k: v for k, v in second.embeddings.items() if speech.get(k, 0.0) >= min_speech_s}
    return speakers, library_from(first, min_speech_s)


def score_series(first: MeetingRun, second: MeetingRun, threshold: float, min_speech_s: float,
                 memo: dict | None = None, drop: str | None = None) -> SeriesScore:
    """One series' figures at ``threshold``; ``memo`` (a dict the caller keeps with the pairs) holds
    what does not depend on the threshold, for a sweep. ``drop``: that person's voiceprint is left out
    of the library, so they are a stranger to it (see :func:`left_out`)."""
    key = (id(first), id(second), min_speech_s)
    if memo is None or key not in memo:
        speakers, profiles = similarities(first, second, min_speech_s)
        overlaps = {(label, p): _overlap(second.exclusive, label, second.reference, p)
                    for label in _speech(second) for p in second.voices}
        ref_time = {p: sum(e - s for s, e, q in second.reference if q == p) for p in second.voices}
        prepared = speakers, profiles, name_labels(second), overlaps, ref_time
        if memo is not None:
            memo[key] = prepared
    else:
        prepared = memo[key]
    speakers, profiles, truth, overlaps, ref_time = prepared
    if drop is not None:
        profiles = {person: vector for person, vector in profiles.items() if person != drop}
    named = {a.label: a.person for a in assign(speakers, profiles, threshold) if a.person}
    known = [p for p in second.voices if p in profiles]
    strangers = [p for p in second.voices if p not in profiles]
    correct = sum(overlaps.get((label, person), 0.0) for label, person in named.items())
    found = sum(v for (label, p), v in overlaps.items() if p in profiles)
    accepted = {p: sum(overlaps.get((label, p), 0.0) for label in named) for p in strangers}
    labels_known = [label for label, p in truth.items() if p in profiles and label in speakers]
    return SeriesScore(
        known_s=sum(ref_time[p] for p in known), correct_s=correct, found_s=found,
        stranger_s=sum(ref_time[p] for p in strangers), accepted_s=sum(accepted.values()),
        strangers=len(strangers), strangers_accepted=sum(1 for p in strangers if accepted[p] > 0.5),
        labels_known=len(labels_known), labels_correct=sum(1 for label in labels_known
                                                           if named.get(label) == truth[label]),
        stranger_labels_named=sum(1 for label, p in truth.items() if p in strangers and label in named))


def left_out(pairs: list[tuple[MeetingRun, MeetingRun]], threshold: float, min_speech_s: float,
             memo: dict | None = None) -> list[SeriesScore]:
    """Every series once per known person of its second meeting, with that person's voiceprint left
    out of the library: more strangers from the same meetings (a person the library does not know
    must not be named as someone else, and the others must still be named)."""
    scores = []
    for first, second in pairs:
        known = set(library_from(first, min_speech_s)) & set(second.voices)
        scores += [score_series(first, second, threshold, min_speech_s, memo, drop=p) for p in sorted(known)]
    return scores


def series_pairs(runs: list[MeetingRun], people: int) -> list[tuple[MeetingRun, MeetingRun]]:
    """First meeting from one half, second from the other, sharing at least ``people - 1`` readers
    (so a second meeting has known people and at most one stranger)."""
    pairs = []
    for first in runs:
        for second in runs:
            if first.half != second.half and len(set(first.voices) & set(second.voices)) >= max(1, people - 1):
                pairs.append((first, second))
    return pairs


def totals(scores: list[SeriesScore]) -> dict[str, Any]:
    known = sum(s.known_s for s in scores)
    found = sum(s.found_s for s in scores)
    stranger = sum(s.stranger_s for s in scores)
    strangers = sum(s.strangers for s in scores)
    return {"series": len(scores),
            "correct_identification": sum(s.correct_s for s in scores) / known if known else None,
            "correct_identification_found": sum(s.correct_s for s in scores) / found if found else None,
            "missed_speech": 1 - found / known if known else None,
            "false_acceptance": sum(s.accepted_s for s in scores) / stranger if stranger else None,
            "strangers": strangers,
            "strangers_named": sum(s.strangers_accepted for s in scores),
            "stranger_labels_named": sum(s.stranger_labels_named for s in scores),
            "known_labels": sum(s.labels_known for s in scores),
            "known_labels_correct": sum(s.labels_correct for s in scores),
            "known_speech_s": round(known, 1), "stranger_speech_s": round(stranger, 1)}


def trials(pairs: list[tuple[MeetingRun, MeetingRun]], min_speech_s: float) -> dict[str, Any]:
    """The similarities behind the figures: each usable second-meeting label against its own person's
    profile (genuine), a stranger's label against its closest profile, and a known person's label
    against the closest other person's profile (impostor)."""
    from analyzer.voices.matching import cosine

    genuine, stranger, impostor = [], [], []
    for first, second in pairs:
        speakers, profiles = similarities(first, second, min_speech_s)
        truth = name_labels(second)
        for label, vector in speakers.items():
            person = truth.get(label)
            if person is None or not profiles:
                continue
            others = [cosine(vector, v) for p, v in profiles.items() if p != person]
            if person in profiles:
                genuine.append(cosine(vector, profiles[person]))
                if others:
                    impostor.append(max(others))
            elif others:
                stranger.append(max(others))

    def spread(values: list[float]) -> dict[str, Any]:
        if not values:
            return {"n": 0}
        a = np.asarray(values)
        return {"n": len(values), "min": round(float(a.min()), 3), "p05": round(float(np.percentile(a, 5)), 3),
                "median": round(float(np.median(a)), 3), "p95": round(float(np.percentile(a, 95)), 3),
                "max": round(float(a.max()), 3)}

    return {"genuine": spread(genuine), "stranger_best": spread(stranger), "impostor_best": spread(impostor)}


IDENTIFICATION_SLACK = 0.005  # correct identification a threshold may give up to lower false acceptance


def calibrate(pairs: list[tuple[MeetingRun, MeetingRun]], plan: IdentificationPlan) -> tuple[float, list[dict]]:
    """The threshold for the calibration series, swept 0-0.95 by 0.01: the middle of the range of
    thresholds that keeps false acceptance at or below half the target and, within it, gives the best
    correct identification.

    When no threshold reaches half the target without giving up more than half a point of correct
    identification (a diarization that puts a stranger's speech in a known person's label carries it
    into a named speaker at any threshold), the bound is that lowest reachable false acceptance instead."""
    sweep, memo = [], {}
    for t in np.round(np.arange(0.0, 0.951, 0.01), 2):
        figures = totals([score_series(a, b, float(t), plan.min_speech_s, memo) for a, b in pairs])
        sweep.append({"threshold": float(t), **figures})
    most = max(s["correct_identification"] or 0.0 for s in sweep)
    floor = min((s["false_acceptance"] or 0.0) for s in sweep
                if (s["correct_identification"] or 0.0) >= most - IDENTIFICATION_SLACK)
    bound = max(plan.target_false_acceptance / 2, floor) + 1e-12
    allowed = [s for s in sweep if (s["false_acceptance"] or 0.0) <= bound]
    best = max(s["correct_identification"] or 0.0 for s in allowed)
    plateau = [s["threshold"] for s in allowed if (s["correct_identification"] or 0.0) >= best - 1e-9]
    return round((min(plateau) + max(plateau)) / 2, 2), sweep


def evaluate_identification(plan: IdentificationPlan, diarizer, cache: Path,  # noqa: ANN001 - pipeline Diarizer
                            on_meeting: Callable[[MeetingRun], None] | None = None,
                            default_threshold: float | None = None) -> dict[str, Any]:
    """Compose and diarize (or read from ``cache``) every meeting of every condition, calibrate one
    threshold on the calibration series of all conditions, and report per condition on held-out readers
    at the calibrated threshold (and at ``default_threshold``, the product's, when given)."""
    from analyzer.adapters.audio import LoadedAudio
    from analyzer.core.schema import Recording

    def diarize(meeting):  # noqa: ANN001, ANN202
        samples = meeting.samples.astype(np.float32)
        sha = hashlib.sha256(samples.tobytes()).hexdigest()
        audio = LoadedAudio(Recording(f"<{meeting.scenario.name}>", sha, len(samples) / 16000, 16000, 1), samples)
        return diarizer.diarize(audio)

    runs: dict[tuple[str, str], list[MeetingRun]] = {}
    for condition in plan.conditions:
        for tag, readers in (("calibrate", plan.calibrate), ("report", plan.report)):
            runs[condition, tag] = []
            for spec in meeting_specs(plan, readers, tag, condition):
                run = run_meeting(spec, plan, cache, diarize)
                runs[condition, tag].append(run)
                if on_meeting is not None:
                    on_meeting(run)
    pairs = {key: series_pairs(found, plan.people) for key, found in runs.items()}
    if set(CONDITIONS) <= set(plan.conditions):  # a voiceprint from a dry meeting, matched in a room
        for tag in ("calibrate", "report"):
            pairs["dry to far-field", tag] = [
                (a, b) for a, b in series_pairs(runs["dry", tag] + runs["far-field", tag], plan.people)
                if a.room is None and b.room is not None]
    threshold, sweep = calibrate([p for c in plan.conditions for p in pairs[c, "calibrate"]], plan)

    memo: dict = {}

    def figures(t: float, chosen: list[tuple[MeetingRun, MeetingRun]]) -> dict[str, Any]:
        return totals([score_series(a, b, t, plan.min_speech_s, memo) for a, b in chosen])

    by_condition = {}
    for condition in dict.fromkeys(c for c, _ in pairs):
        cal, rep = pairs[condition, "calibrate"], pairs[condition, "report"]
        by_condition[condition] = {
            "calibration": figures(threshold, cal), "report": figures(threshold, rep),
            **({} if default_threshold is None else {"report_at_default": figures(default_threshold, rep)}),
            "report_left_out": totals(left_out(rep, threshold, plan.min_speech_s, memo)),
            "similarities": {"calibration": trials(cal, plan.min_speech_s), "report": trials(rep, plan.min_speech_s)},
            "report_sweep": [{"threshold": t, **figures(t, rep)} for t in (0.3, 0.4, 0.5, 0.6, 0.7)]}
    return {"name": plan.name, "threshold": threshold, "default_threshold": default_threshold,
            "calibration_readers": list(plan.calibrate), "report_readers": list(plan.report),
            "conditions": list(plan.conditions), "target_false_acceptance": plan.target_false_acceptance,
            "room_ranges": {"rt60": list(plan.room_rt60), "snr_db": list(plan.room_snr_db)}
            if "far-field" in plan.conditions else None,
            "meetings": {f"{c} {t}": len(v) for (c, t), v in runs.items()},
            "rooms": {run.id: run.room for run in runs.get(("far-field", "calibrate"), [])
                      + runs.get(("far-field", "report"), [])},
            "by_condition": by_condition, "calibration_sweep": sweep}
