"""Attribute each word to a speaker and group consecutive words into turns. Pure Python.

A word goes to the speaker whose *exclusive* segments overlap it most. A word in a
gap snaps to the nearest exclusive segment when that is within ``max_snap_s``;
otherwise it stays unattributed (``speaker=None``): counted, never guessed.
"""

from __future__ import annotations

import bisect
from typing import Iterable, Sequence

from analyzer.core.schema import SpeakerSegment, SpeakerWord, Turn, Word


def attribute_words(words: Iterable[Word], exclusive: Sequence[SpeakerSegment],
                    max_snap_s: float = 0.5) -> tuple[SpeakerWord, ...]:
    """Give each word the speaker whose exclusive segments cover it most."""
    segments = sorted(exclusive, key=lambda s: (s.start, s.end))
    starts = [s.start for s in segments]
    return tuple(_attribute(word, segments, starts, max_snap_s) for word in words)


def _attribute(word: Word, segments: list[SpeakerSegment], starts: list[float],
               max_snap_s: float) -> SpeakerWord:
    coverage: dict[str, float] = {}
    first = max(0, bisect.bisect_right(starts, word.start) - 1)
    index = first
    while index < len(segments) and segments[index].start < word.end:
        seg = segments[index]
        overlap = min(seg.end, word.end) - max(seg.start, word.start)
        if overlap > 0:
            coverage[seg.speaker] = coverage.get(seg.speaker, 0.0) + overlap
        index += 1
    if coverage:
        speaker = max(sorted(coverage), key=lambda s: coverage[s])
        length = max(word.end - word.start, 1e-6)
        return SpeakerWord(word=word, speaker=speaker, coverage=min(1.0, coverage[speaker] / length))
    nearest = _nearest_segment(word, segments, first)
    if nearest is not None and _distance(word, nearest) <= max_snap_s:
        return SpeakerWord(word=word, speaker=nearest.speaker, coverage=0.0)
    return SpeakerWord(word=word, speaker=None, coverage=0.0)


def _distance(word: Word, seg: SpeakerSegment) -> float:
    if seg.end <= word.start:
        return word.start - seg.end
    if seg.start >= word.end:
        return seg.start - word.end
    return 0.0


def _nearest_segment(word: Word, segments: list[SpeakerSegment], around: int) -> SpeakerSegment | None:
    candidates = segments[max(0, around - 2): around + 3]
    if not candidates:
        return None
    return min(candidates, key=lambda seg: (_distance(word, seg), seg.start))


def build_turns(words: Sequence[SpeakerWord], max_gap_s: float = 1.0) -> tuple[Turn, ...]:
    """Group consecutive attributed words of one speaker into turns.

    A new turn starts when the speaker changes or the pause between two of the
    same speaker's words exceeds ``max_gap_s``. Unattributed words are skipped.
    """
    turns: list[Turn] = []
    current: list[SpeakerWord] = []
    for item in sorted((w for w in words if w.speaker is not None), key=lambda w: w.word.start):
        if current and (item.speaker != current[-1].speaker
                        or item.word.start - current[-1].word.end > max_gap_s):
            turns.append(_make_turn(len(turns), current))
            current = []
        current.append(item)
    if current:
        turns.append(_make_turn(len(turns), current))
    return tuple(turns)


def _make_turn(index: int, words: list[SpeakerWord]) -> Turn:
    text = " ".join(w.word.text.strip() for w in words if w.word.text.strip())
    return Turn(index=index, speaker=words[0].speaker or "", start=words[0].word.start,
                end=max(w.word.end for w in words), text=text, word_count=len(words))


def unattributed_count(words: Sequence[SpeakerWord]) -> int:
    return sum(1 for w in words if w.speaker is None)
