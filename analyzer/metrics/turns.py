"""Turns for the metrics: backchannels, floor turns, and turns derived from a diarization alone.

A *backchannel* is a stretch of speech that lasts at most ``backchannel_max_s``
seconds, or whose text has at most ``backchannel_max_words`` words, all from the
backchannel word list (:data:`analyzer.metrics.text.BACKCHANNEL_WORDS`).
A *floor turn* joins consecutive non-backchannel turns of one speaker when
nothing but other people's backchannels (or silence) lies between them and the
pause is at most ``floor_gap_s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import SpeakerSegment, Turn
from analyzer.metrics.intervals import by_speaker, merge_gaps
from analyzer.metrics.text import is_backchannel_text


@dataclass(frozen=True, slots=True)
class FloorTurn:
    """A speaker holding the floor (one or more joined turns)."""

    speaker: str
    start: float
    end: float
    text: str
    word_count: int

    @property
    def duration(self) -> float:
        return self.end - self.start


def is_backchannel(duration: float, text: str, config: MetricsConfig) -> bool:
    """Short speech, or a few words that are all backchannel words."""
    return duration <= config.backchannel_max_s or is_backchannel_text(text, config.backchannel_max_words)


def is_backchannel_turn(turn: Turn, config: MetricsConfig) -> bool:
    return is_backchannel(turn.duration, turn.text, config)


def floor_turns(turns: Sequence[Turn], config: MetricsConfig) -> list[FloorTurn]:
    """Join one speaker's consecutive turns across other people's backchannels (see module doc)."""
    result: list[FloorTurn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        if is_backchannel_turn(turn, config):
            continue
        last = result[-1] if result else None
        if last and last.speaker == turn.speaker and turn.start - last.end <= config.floor_gap_s:
            text = f"{last.text} {turn.text}".strip()
            result[-1] = FloorTurn(last.speaker, last.start, max(last.end, turn.end), text,
                                   last.word_count + turn.word_count)
        else:
            result.append(FloorTurn(turn.speaker, turn.start, turn.end, turn.text, turn.word_count))
    return result


def turns_from_segments(exclusive: Sequence[SpeakerSegment], max_gap_s: float) -> tuple[Turn, ...]:
    """Turns without words: one speaker's exclusive segments joined across pauses <= ``max_gap_s``.

    A turn ends when another speaker's segment starts or the pause is longer than
    ``max_gap_s`` (the same rule :func:`analyzer.core.align.build_turns` applies to words).
    Text is empty and ``word_count`` is 0.
    """
    ordered = sorted((s for s in exclusive if s.end > s.start), key=lambda s: (s.start, s.end))
    spans: list[tuple[str, float, float]] = []
    for seg in ordered:
        if spans and spans[-1][0] == seg.speaker and seg.start - spans[-1][2] <= max_gap_s:
            spans[-1] = (seg.speaker, spans[-1][1], max(spans[-1][2], seg.end))
        else:
            spans.append((seg.speaker, seg.start, seg.end))
    return tuple(Turn(index=i, speaker=speaker, start=start, end=end, text="", word_count=0)
                 for i, (speaker, start, end) in enumerate(spans))


def speech_spans(segments: Sequence[SpeakerSegment], gap_s: float) -> dict[str, list[tuple[float, float]]]:
    """Per speaker, the overlapping track's speech joined across pauses <= ``gap_s`` (talk spurts)."""
    return {speaker: merge_gaps(items, gap_s) for speaker, items in by_speaker(segments).items()}
