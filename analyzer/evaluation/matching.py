"""Interruption matching: precision, recall and F1 per type, events matched within a tolerance.

A reference and a system interruption match when their times differ by at most
``tolerance_s`` (0.5 s). Matching is one-to-one, closest pairs first. ``any`` scores
detection whatever the type; each type scores events of that type on both sides.
Speaker identities are not compared (system labels are anonymous).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from analyzer.core.schema import Interruption, InterruptionType

TYPES = tuple(InterruptionType)
TOLERANCE_S = 0.5


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, reference events and system events of one type."""

    matched: int
    reference: int
    system: int

    @property
    def precision(self) -> float | None:
        return self.matched / self.system if self.system else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.reference if self.reference else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.matched + other.matched, self.reference + other.reference, self.system + other.system)


def match_times(reference: Sequence[float], system: Sequence[float], tolerance_s: float = TOLERANCE_S) -> int:
    """Number of one-to-one pairs within ``tolerance_s``, closest pairs taken first."""
    pairs = sorted((abs(r - s), i, j) for i, r in enumerate(reference) for j, s in enumerate(system)
                   if abs(r - s) <= tolerance_s)
    used_ref, used_sys, matched = set(), set(), 0
    for _, i, j in pairs:
        if i not in used_ref and j not in used_sys:
            used_ref.add(i)
            used_sys.add(j)
            matched += 1
    return matched


def match_interruptions(reference: Sequence[Interruption], system: Sequence[Interruption],
                        tolerance_s: float = TOLERANCE_S) -> dict[str, Counts]:
    """Counts for ``any`` and for each type in :data:`TYPES`."""
    result = {"any": Counts(match_times([i.time for i in reference], [i.time for i in system], tolerance_s),
                            len(reference), len(system))}
    for kind in TYPES:
        ref = [i.time for i in reference if i.type == kind]
        sys = [i.time for i in system if i.type == kind]
        result[kind] = Counts(match_times(ref, sys, tolerance_s), len(ref), len(sys))
    return result
