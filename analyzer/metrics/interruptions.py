"""Interruptions by type (Ferguson 1977; Beattie 1981; Schegloff 2000). Pure Python.

Overlap-based: speaker B starts a talk spurt while speaker A is inside one of A's
(non-backchannel) spurts, the two overlap by at least ``min_interruption_overlap_s``
and B's spurt is not a backchannel. Then:

* ``cooperative`` (terminal overlap): A had at most ``cooperative_window_s`` of its
  spurt left when B started, and A's words do not show an unfinished sentence;
* ``successful``: otherwise, when A stops before B does (A yields, B holds the floor);
* ``unsuccessful`` (butting-in): otherwise (B stops first or together with A).

Text-based, lower confidence: a ``silent`` interruption is a floor change with no
overlap where A's turn ends without terminal punctuation and B starts within
``silent_interruption_gap_s``. It needs words (never found from an RTTM alone).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Sequence

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import Interruption, InterruptionType, SpeakerSegment, SpeakerWord, Turn
from analyzer.metrics.intervals import Interval, by_speaker, clip, intersect_length
from analyzer.metrics.text import ends_sentence
from analyzer.metrics.turns import is_backchannel, is_backchannel_turn, speech_spans

TYPES = tuple(InterruptionType)
COMPETITIVE = (InterruptionType.SUCCESSFUL, InterruptionType.UNSUCCESSFUL, InterruptionType.SILENT)


class _Words:
    """One speaker's attributed words, searchable by time."""

    def __init__(self, words: Sequence[SpeakerWord]) -> None:
        items = sorted((w.word.start, w.word.end, w.word.text) for w in words)
        self.items = items
        self.starts = [w[0] for w in items]

    def within(self, start: float, end: float) -> list[tuple[float, float, str]]:
        """Words whose midpoint lies in [start, end]."""
        lo = bisect.bisect_left(self.starts, start - 30.0)
        hi = bisect.bisect_right(self.starts, end)
        return [w for w in self.items[lo:hi] if start <= (w[0] + w[1]) / 2 <= end]


def find_interruptions(segments: Sequence[SpeakerSegment], words: Sequence[SpeakerWord],
                       turns: Sequence[Turn], config: MetricsConfig) -> tuple[tuple[Interruption, ...],
                                                                               dict[str, int]]:
    """Interruptions (sorted by time) and the number of backchannels each speaker gave.

    Args:
        segments: the overlapping diarization track.
        words: attributed words (may be empty: timing rules only).
        turns: turns built from the words (used for silent interruptions).
        config: thresholds.
    """
    spoken = defaultdict(list)
    for w in words:
        if w.speaker is not None:
            spoken[w.speaker].append(w)
    texts = {speaker: _Words(items) for speaker, items in spoken.items()}
    activity = by_speaker(segments)
    spans = speech_spans(segments, config.span_gap_s)
    labelled = {speaker: [(s, e, _span_text(texts, speaker, s, e)) for s, e in items]
                for speaker, items in spans.items()}
    backchannels = {speaker: sum(1 for s, e, text in items if is_backchannel(e - s, text, config))
                    for speaker, items in labelled.items()}
    starts = {speaker: [item[0] for item in items] for speaker, items in labelled.items()}
    found: list[Interruption] = []
    for speaker_b, items in labelled.items():
        for start, end, text in items:
            if is_backchannel(end - start, text, config):
                continue
            hit = _overlap_interruption(speaker_b, (start, end), labelled, starts, activity, texts, config)
            if hit is not None:
                found.append(hit)
    found.extend(_silent_interruptions(turns, found, config))
    found.sort(key=lambda i: (i.time, i.interrupter, i.interrupted))
    return tuple(found), backchannels


def _span_text(texts: dict[str, _Words], speaker: str, start: float, end: float) -> str:
    source = texts.get(speaker)
    return " ".join(w[2] for w in source.within(start, end)) if source else ""


def _overlap_interruption(speaker_b: str, span_b: Interval, labelled: dict[str, list[tuple[float, float, str]]],
                          starts: dict[str, list[float]], activity: dict[str, list[Interval]],
                          texts: dict[str, _Words], config: MetricsConfig) -> Interruption | None:
    onset, b_end = span_b
    holder = None
    for speaker_a, items in labelled.items():
        if speaker_a == speaker_b:
            continue
        index = bisect.bisect_left(starts[speaker_a], onset) - 1  # a speaker's spurts are disjoint
        if index < 0:
            continue
        a_start, a_end, a_text = items[index]
        if onset < a_end and not is_backchannel(a_end - a_start, a_text, config):
            if holder is None or a_start > holder[1] or (a_start == holder[1] and speaker_a < holder[0]):
                holder = (speaker_a, a_start, a_end)
    if holder is None:
        return None
    speaker_a, a_start, a_end = holder
    overlap = intersect_length(clip(activity[speaker_a], onset, b_end), clip(activity[speaker_b], onset, b_end))
    if overlap < config.min_interruption_overlap_s:
        return None
    unfinished = _unfinished(texts.get(speaker_a), a_start, a_end)
    if a_end - onset <= config.cooperative_window_s and not unfinished:
        kind = InterruptionType.COOPERATIVE
    elif a_end < b_end:
        kind = InterruptionType.SUCCESSFUL
    else:
        kind = InterruptionType.UNSUCCESSFUL
    return Interruption(time=onset, interrupter=speaker_b, interrupted=speaker_a, type=kind, overlap=overlap)


def _unfinished(words: _Words | None, start: float, end: float) -> bool:
    """A's words in the spurt end without terminal punctuation (False when there are no words)."""
    if words is None:
        return False
    inside = words.within(start, end)
    return bool(inside) and not ends_sentence(inside[-1][2])


def _silent_interruptions(turns: Sequence[Turn], overlap_hits: Sequence[Interruption],
                          config: MetricsConfig) -> list[Interruption]:
    ordered = [t for t in sorted(turns, key=lambda t: (t.start, t.end)) if not is_backchannel_turn(t, config)]
    found = []
    for prev, cur in zip(ordered, ordered[1:]):
        gap = cur.start - prev.end
        if (cur.speaker != prev.speaker and prev.text and 0 <= gap <= config.silent_interruption_gap_s
                and not ends_sentence(prev.text) and not _near(overlap_hits, cur.speaker, cur.start)):
            found.append(Interruption(time=cur.start, interrupter=cur.speaker, interrupted=prev.speaker,
                                      type=InterruptionType.SILENT, overlap=0.0))
    return found


def _near(hits: Sequence[Interruption], speaker: str, time: float, within_s: float = 1.0) -> bool:
    return any(h.interrupter == speaker and abs(h.time - time) <= within_s for h in hits)


def interruption_tables(interruptions: Sequence[Interruption], people: Sequence[str]) -> tuple[
        dict[str, dict[str, int]], dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Made and received per person by type, and the interrupter -> interrupted matrix.

    The matrix counts the competitive types (successful, unsuccessful, silent);
    cooperative (terminal) overlaps are not interruptions in Schegloff's sense.
    """
    made = {p: dict.fromkeys(TYPES, 0) for p in people}
    received = {p: dict.fromkeys(TYPES, 0) for p in people}
    matrix: dict[str, dict[str, int]] = {p: {} for p in people}
    for hit in interruptions:
        made.setdefault(hit.interrupter, dict.fromkeys(TYPES, 0))[hit.type] += 1
        received.setdefault(hit.interrupted, dict.fromkeys(TYPES, 0))[hit.type] += 1
        if hit.type in COMPETITIVE:
            row = matrix.setdefault(hit.interrupter, {})
            row[hit.interrupted] = row.get(hit.interrupted, 0) + 1
    return made, received, matrix
