"""Scoring raised-voice detection against the composer's exact level changes.

Truth: every level change of a composed meeting that raises a voice by at least
:data:`TRUTH_MIN_DB` (6 dB, "raised" vocal effort in ANSI S3.5-1997's speech spectra: normal 62.4,
raised 68.3 dB SPL at 1 m) for at least :data:`TRUTH_MIN_S`. A system moment matches a
truth moment when their onsets differ by at most :data:`ONSET_TOLERANCE_S` (1 s), one-to-one,
closest first. Speakers are not compared (system labels are anonymous).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from analyzer.evaluation.matching import Counts
from analyzer.core.schema import RaisedVoice

TRUTH_MIN_DB = 6.0
TRUTH_MIN_S = 1.0
ONSET_TOLERANCE_S = 1.0


@dataclass(frozen=True, slots=True)
class LevelTruth:
    """A level change of a composed meeting (from its events file)."""

    speaker: str
    start: float
    end: float
    gain_db: float


def raised_truth(changes: Sequence[LevelTruth]) -> list[LevelTruth]:
    """The level changes that are raised-voice moments."""
    return [c for c in changes if c.gain_db >= TRUTH_MIN_DB and c.end - c.start >= TRUTH_MIN_S]


def match_raised(truth: Sequence[LevelTruth], system: Sequence[RaisedVoice],
                 tolerance_s: float = ONSET_TOLERANCE_S) -> tuple[Counts, list[float]]:
    """(counts, onset errors in s of the matched pairs: system minus truth)."""
    pairs = sorted((abs(s.start - t.start), i, j) for i, t in enumerate(truth) for j, s in enumerate(system)
                   if abs(s.start - t.start) <= tolerance_s)
    used_t, used_s, errors = set(), set(), []
    for _, i, j in pairs:
        if i not in used_t and j not in used_s:
            used_t.add(i)
            used_s.add(j)
            errors.append(system[j].start - truth[i].start)
    return Counts(len(errors), len(truth), len(system)), errors
