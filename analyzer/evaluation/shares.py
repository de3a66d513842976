"""Per-person share error: how far each person's share of speech is from the truth, in points.

Shares are each person's exclusive speaking time over everybody's (as the product
reports them). System speakers are renamed to reference people with the optimal
mapping first; a person found on one side only counts against a share of 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from analyzer.core.schema import SpeakerSegment
from analyzer.formats.rttm import exclusive_from_overlapping


@dataclass(frozen=True, slots=True)
class ShareError:
    """Absolute share errors in percentage points, per reference person (or ``+label`` extras)."""

    per_person: dict[str, float]
    mean_pp: float
    max_pp: float


def shares_from_segments(segments: Sequence[SpeakerSegment]) -> dict[str, float]:
    """Each speaker's share of the exclusive (one-at-a-time) speech time."""
    times: dict[str, float] = {}
    for seg in exclusive_from_overlapping(segments):
        times[seg.speaker] = times.get(seg.speaker, 0.0) + seg.end - seg.start
    total = sum(times.values())
    return {speaker: (t / total if total > 0 else 0.0) for speaker, t in times.items()}


def share_error(reference: Mapping[str, float], system: Mapping[str, float],
                mapping: Mapping[str, str]) -> ShareError:
    """Compare shares (fractions) after renaming system labels with ``mapping`` (system -> reference).

    Two system speakers mapped to the same person add up (a split person); an
    unmapped system speaker is reported as ``+<label>`` against a share of 0.
    """
    renamed: dict[str, float] = {}
    for label, share in system.items():
        key = mapping.get(label, f"+{label}")
        renamed[key] = renamed.get(key, 0.0) + share
    people = list(reference) + [k for k in renamed if k not in reference]
    errors = {p: round(abs(reference.get(p, 0.0) - renamed.get(p, 0.0)) * 100.0, 4) for p in people}
    values = list(errors.values())
    return ShareError(per_person=errors, mean_pp=sum(values) / len(values) if values else 0.0,
                      max_pp=max(values, default=0.0))
