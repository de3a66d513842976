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
  in speakers named after the right person;
- false acceptance: the share of the strangers' reference speech time that lies in speakers
  named after anyone, and the share of strangers named as someone.

The threshold is calibrated on series of one set of readers and reported on series of the
other set (:func:`calibrate`). Diarization outputs (segments and centroids) are cached as
JSON, so a threshold sweep never runs a model again.
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


@dataclass(frozen=True, slots=True)
class MeetingRun:
    """One composed meeting's diarization as cached: reference and exclusive segments, centroids."""

    id: str
    half: str
    voices: tuple[str, ...]
    reference: tuple[tuple[float, float, str], ...]
    exclusive: tuple[tuple[float, float, str], ...]
    embeddings: dict[str, tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class SeriesScore:
    known_s: float
    correct_s: float
    stranger_s: float
    accepted_s: float
    strangers: int
    strangers_accepted: int
    labels_known: int
    labels_correct: int


def load_plan(path: Path, data_root: Path) -> IdentificationPlan:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot read the manifest ({exc})") from None
    voices = str(data.get("voices", "$DATA/librispeech"))
    folder = data_root / voices[len("$DATA/"):] if voices.startswith("$DATA/") else Path(path).parent / voices
    try:
        return IdentificationPlan(
            name=str(data.get("name", Path(path).stem)), voices=folder,
            calibrate=tuple(str(v) for v in data["calibrate"]), report=tuple(str(v) for v in data["report"]),
            people=int(data.get("people", 3)), meetings_per_half=int(data.get("meetings_per_half", 4)),
            meeting_s=float(data.get("meeting_s", 75.0)), seed=int(data.get("seed", 16)),
            target_false_acceptance=float(data.get("target_false_acceptance", 0.02)),
            min_speech_s=float(data.get("min_speech_s", 3.0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFormatError(f"{path}: an identification manifest needs calibrate = [...] and report = [...] "
                               f"lists of reader folders ({type(exc).__name__}: {exc})") from None


def is_identification_manifest(path: Path) -> bool:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8")).get("kind") == "identification"
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def meeting_specs(plan: IdentificationPlan, readers: tuple[str, ...], tag: str) -> list[dict[str, Any]]:
    """For each half, ``meetings_per_half`` meetings of ``people`` readers (every reader appears)."""
    rng = np.random.default_rng(plan.seed + sum(map(ord, tag)))
    groups = list(combinations(readers, plan.people))
    specs = []
    for half in HALVES:
        order = rng.permutation(len(groups))[:plan.meetings_per_half]
        for i, g in enumerate(order):
            specs.append({"id": f"{tag}-{half}{i}", "half": half, "voices": tuple(groups[g]),
                          "seed": int(rng.integers(1 << 30))})
    return specs


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
                        seed=spec["seed"], voices_dir=voices_dir, source=f"<identification {spec['id']}>")
    return compose_meeting(scenario)


def run_meeting(spec: dict[str, Any], plan: IdentificationPlan, cache: Path,
                diarize: Callable[[Any], Any]) -> MeetingRun:
    """Compose and diarize a meeting, or read it from the cache (keyed by the spec and the plan)."""
    key = hashlib.sha256(json.dumps([spec, plan.meeting_s, plan.turn_s, str(plan.voices)], default=str)
                         .encode()).hexdigest()[:12]
    file = cache / f"{spec['id']}-{key}.json"
    if file.is_file():
        return _from_json(json.loads(file.read_text()))
    meeting = compose(spec, plan, half_voices_dir(plan.voices, spec["half"], cache))
    diarization = diarize(meeting)
    run = MeetingRun(
        id=spec["id"], half=spec["half"], voices=tuple(f"v{v}" for v in spec["voices"]),
        reference=tuple((s.start, s.end, s.speaker) for s in meeting.segments),
        exclusive=tuple((s.start, s.end, s.speaker) for s in diarization.exclusive),
        embeddings={k: tuple(v) for k, v in diarization.embeddings.items()})
    cache.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(_to_json(run)))
    return run


def _to_json(run: MeetingRun) -> dict[str, Any]:
    return {"id": run.id, "half": run.half, "voices": list(run.voices), "reference": run.reference,
            "exclusive": run.exclusive, "embeddings": run.embeddings}


def _from_json(data: dict[str, Any]) -> MeetingRun:
    return MeetingRun(data["id"], data["half"], tuple(data["voices"]),
                      tuple(tuple(x) for x in data["reference"]), tuple(tuple(x) for x in data["exclusive"]),
                      {k: tuple(v) for k, v in data["embeddings"].items()})


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


def score_series(first: MeetingRun, second: MeetingRun, threshold: float, min_speech_s: float) -> SeriesScore:
    speakers, profiles = similarities(first, second, min_speech_s)
    named = {a.label: a.person for a in assign(speakers, profiles, threshold) if a.person}
    truth = name_labels(second)
    known = [p for p in second.voices if p in profiles]
    strangers = [p for p in second.voices if p not in profiles]
    ref_time = {p: sum(e - s for s, e, q in second.reference if q == p) for p in second.voices}
    correct = sum(_overlap(second.exclusive, label, second.reference, person) for label, person in named.items())
    accepted = {p: sum(_overlap(second.exclusive, label, second.reference, p) for label in named)
                for p in strangers}
    labels_known = [label for label, p in truth.items() if p in profiles and label in speakers]
    return SeriesScore(
        known_s=sum(ref_time[p] for p in known), correct_s=correct,
        stranger_s=sum(ref_time[p] for p in strangers), accepted_s=sum(accepted.values()),
        strangers=len(strangers), strangers_accepted=sum(1 for p in strangers if accepted[p] > 0.5),
        labels_known=len(labels_known), labels_correct=sum(1 for label in labels_known
                                                           if named.get(label) == truth[label]))


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
    stranger = sum(s.stranger_s for s in scores)
    strangers = sum(s.strangers for s in scores)
    return {"series": len(scores),
            "correct_identification": sum(s.correct_s for s in scores) / known if known else None,
            "false_acceptance": sum(s.accepted_s for s in scores) / stranger if stranger else None,
            "strangers": strangers,
            "strangers_named": sum(s.strangers_accepted for s in scores),
            "known_labels": sum(s.labels_known for s in scores),
            "known_labels_correct": sum(s.labels_correct for s in scores),
            "known_speech_s": round(known, 1), "stranger_speech_s": round(stranger, 1)}


def calibrate(pairs: list[tuple[MeetingRun, MeetingRun]], plan: IdentificationPlan) -> tuple[float, list[dict]]:
    """The threshold for the calibration series: the middle of the range of thresholds that keeps
    false acceptance at or below half the target and, within it, gives the best correct identification."""
    sweep = []
    for t in np.round(np.arange(0.0, 0.951, 0.01), 2):
        figures = totals([score_series(a, b, float(t), plan.min_speech_s) for a, b in pairs])
        sweep.append({"threshold": float(t), **figures})
    allowed = [s for s in sweep if (s["false_acceptance"] or 0.0) <= plan.target_false_acceptance / 2]
    if not allowed:
        allowed = [min(sweep, key=lambda s: s["false_acceptance"] or 0.0)]
    best = max(s["correct_identification"] or 0.0 for s in allowed)
    plateau = [s["threshold"] for s in allowed if (s["correct_identification"] or 0.0) >= best - 1e-9]
    return round((min(plateau) + max(plateau)) / 2, 2), sweep


def evaluate_identification(plan: IdentificationPlan, diarizer, cache: Path,  # noqa: ANN001 - pipeline Diarizer
                            on_meeting: Callable[[MeetingRun], None] | None = None) -> dict[str, Any]:
    """Compose and diarize (or read from ``cache``) every meeting, calibrate, and report on held-out readers."""
    from analyzer.adapters.audio import LoadedAudio
    from analyzer.core.schema import Recording

    def diarize(meeting):  # noqa: ANN001, ANN202
        samples = meeting.samples.astype(np.float32)
        sha = hashlib.sha256(samples.tobytes()).hexdigest()
        audio = LoadedAudio(Recording(f"<{meeting.scenario.name}>", sha, len(samples) / 16000, 16000, 1), samples)
        return diarizer.diarize(audio)

    runs: dict[str, list[MeetingRun]] = {}
    for tag, readers in (("calibrate", plan.calibrate), ("report", plan.report)):
        runs[tag] = []
        for spec in meeting_specs(plan, readers, tag):
            run = run_meeting(spec, plan, cache, diarize)
            runs[tag].append(run)
            if on_meeting is not None:
                on_meeting(run)
    calibration_pairs = series_pairs(runs["calibrate"], plan.people)
    report_pairs = series_pairs(runs["report"], plan.people)
    threshold, sweep = calibrate(calibration_pairs, plan)
    report = totals([score_series(a, b, threshold, plan.min_speech_s) for a, b in report_pairs])
    return {"name": plan.name, "threshold": threshold, "calibration_readers": list(plan.calibrate),
            "report_readers": list(plan.report), "meetings": {k: len(v) for k, v in runs.items()},
            "calibration": next(s for s in sweep if s["threshold"] == threshold), "report": report,
            "target_false_acceptance": plan.target_false_acceptance, "sweep": sweep,
            "report_sweep": [{"threshold": t, **totals([score_series(a, b, t, plan.min_speech_s)
                                                        for a, b in report_pairs])}
                             for t in (0.3, 0.4, 0.5, 0.6, 0.7)]}
