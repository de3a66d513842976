"""Interval arithmetic on speaker segments: unions, overlaps, per-speaker spans. Pure Python."""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Iterable, Sequence

from analyzer.core.schema import SpeakerSegment

Interval = tuple[float, float]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals; returns sorted disjoint intervals."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total(intervals: Iterable[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def intersect_length(a: Sequence[Interval], b: Sequence[Interval]) -> float:
    """Length of the intersection of two sorted disjoint interval lists."""
    i = j = 0
    length = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            length += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return length


def clip(intervals: Sequence[Interval], lo: float, hi: float) -> list[Interval]:
    """The parts of sorted disjoint ``intervals`` inside [lo, hi] (binary search, then a short scan)."""
    first = bisect.bisect_right(intervals, lo, key=lambda i: i[1])
    out = []
    for start, end in intervals[first:]:
        if start >= hi:
            break
        if min(end, hi) > max(start, lo):
            out.append((max(start, lo), min(end, hi)))
    return out


def by_speaker(segments: Iterable[SpeakerSegment]) -> dict[str, list[Interval]]:
    """Speaker -> union of that speaker's segments."""
    raw: dict[str, list[Interval]] = defaultdict(list)
    for seg in segments:
        raw[seg.speaker].append((seg.start, seg.end))
    return {speaker: union(items) for speaker, items in raw.items()}


def overlapped_time(activity: dict[str, list[Interval]]) -> tuple[float, dict[str, float]]:
    """Time with two or more speakers active, overall and per speaker.

    Returns:
        (seconds with >= 2 active speakers, speaker -> seconds that speaker spoke
        while at least one other speaker was active).
    """
    events: list[tuple[float, int, str]] = []
    for speaker, items in activity.items():
        for start, end in items:
            events.append((start, 1, speaker))
            events.append((end, -1, speaker))
    events.sort(key=lambda e: (e[0], e[1]))
    active: dict[str, int] = defaultdict(int)
    per_speaker: dict[str, float] = {speaker: 0.0 for speaker in activity}
    overall = 0.0
    previous = None
    for time, delta, speaker in events:
        if previous is not None and time > previous:
            speaking = [s for s, n in active.items() if n > 0]
            if len(speaking) >= 2:
                overall += time - previous
                for s in speaking:
                    per_speaker[s] += time - previous
        active[speaker] += delta
        previous = time
    return overall, per_speaker


def merge_gaps(intervals: Sequence[Interval], max_gap: float) -> list[Interval]:
    """Join sorted disjoint intervals separated by at most ``max_gap`` seconds."""
    merged: list[Interval] = []
    for start, end in intervals:
        if merged and start - merged[-1][1] <= max_gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
