"""Scores about people and floor changes: speaker changes found, and each person's missed speech.

- **Speaker changes**: in the exclusive (one-at-a-time) track, a change is where the talk passes
  from one speaker to another (runs of one speaker are joined across pauses first); its time is
  the middle of the pause between them (the boundary when they touch). System and reference
  changes match one-to-one within 0.5 s (closest first); recall = matched / reference changes,
  precision = matched / system changes. Speaker identities are not compared: a change is a change.
- **Missed speech per person**: the share of a reference person's speech (overlapping track)
  not attributed to the system speaker mapped to them (optimal mapping): missed detection and
  confusion together, i.e. how much of that person the product loses. Reported for every person
  and for the quietest one (least reference speech) of each file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from analyzer.evaluation.matching import Counts, match_times
from analyzer.formats.rttm import exclusive_from_overlapping
from analyzer.core.schema import SpeakerSegment

CHANGE_TOLERANCE_S = 0.5


def change_points(segments: Sequence[SpeakerSegment]) -> list[float]:
    """Times where the floor passes from one speaker to another (see the module docstring)."""
    runs: list[list] = []  # [speaker, start, end]
    for seg in sorted(exclusive_from_overlapping(segments), key=lambda s: s.start):
        if seg.end <= seg.start:
            continue
        if runs and runs[-1][0] == seg.speaker:
            runs[-1][2] = max(runs[-1][2], seg.end)
        else:
            runs.append([seg.speaker, seg.start, seg.end])
    return [round((a[2] + b[1]) / 2, 3) for a, b in zip(runs, runs[1:])]


def change_counts(reference: Sequence[SpeakerSegment], system: Sequence[SpeakerSegment],
                  tolerance_s: float = CHANGE_TOLERANCE_S) -> Counts:
    """Matched, reference and system speaker changes within ``tolerance_s``."""
    ref, hyp = change_points(reference), change_points(system)
    return Counts(match_times(ref, hyp, tolerance_s), len(ref), len(hyp))


def _intervals(segments: Sequence[SpeakerSegment], speaker: str | None = None) -> list[tuple[float, float]]:
    spans = sorted((s.start, s.end) for s in segments if (speaker is None or s.speaker == speaker) and s.end > s.start)
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _overlap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    total, j = 0.0, 0
    for start, end in a:
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            total += max(0.0, min(end, b[k][1]) - max(start, b[k][0]))
            k += 1
    return total


@dataclass(frozen=True, slots=True)
class PersonMiss:
    """One reference person: their speech (s) and the share of it the system lost."""

    person: str
    speech_s: float
    missed: float


def missed_per_person(reference: Sequence[SpeakerSegment], system: Sequence[SpeakerSegment],
                      mapping: Mapping[str, str]) -> list[PersonMiss]:
    """Per reference person (quietest first): speech time and the share not given to them.

    ``mapping`` is system label -> reference person; several system labels may map to one person.
    """
    out = []
    for person in sorted({s.speaker for s in reference}):
        ref = _intervals(reference, person)
        speech = sum(b - a for a, b in ref)
        if speech <= 0:
            continue
        labels = [label for label, target in mapping.items() if target == person]
        hyp = _intervals([s for s in system if s.speaker in labels])
        found = _overlap(ref, hyp)
        out.append(PersonMiss(person, round(speech, 3), round(max(0.0, 1.0 - found / speech), 4)))
    return sorted(out, key=lambda p: (p.speech_s, p.person))
