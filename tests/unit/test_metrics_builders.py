"""Builders for hand-made meetings used by the metrics tests (and tests of the builders)."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from analyzer.core.align import build_turns
from analyzer.core.config import MetricsConfig
from analyzer.core.schema import DirectiveHit, Diarization, SessionMetrics, SpeakerWord
from analyzer.formats.rttm import exclusive_from_overlapping
from analyzer.metrics import compute_metrics
from analyzer.metrics.turns import turns_from_segments
from tests.conftest import seg, words_from_script

Line = tuple[float, float, str, str]  # start, end, speaker, text ("" = no words)


def diarization(script: Sequence[Line]) -> Diarization:
    segments = tuple(seg(start, end, speaker) for start, end, speaker, _ in script)
    return Diarization(segments, exclusive_from_overlapping(segments),
                       tuple(sorted({s.speaker for s in segments})))


def spoken_words(script: Sequence[Line]) -> tuple[SpeakerWord, ...]:
    """Each line's words, spread over its span and attributed to its speaker."""
    return tuple(SpeakerWord(word, speaker, 1.0) for start, end, speaker, text in script if text
                 for word in words_from_script([(start, end, text)]))


def meeting(script: Sequence[Line], *, duration: float = 0.0, directives: Sequence[DirectiveHit] = (),
            config: MetricsConfig | None = None, **overrides) -> SessionMetrics:
    """Metrics of a scripted meeting: words when any line has text, else turns from the exclusive track."""
    config = replace(config or MetricsConfig(), **overrides)
    diar = diarization(script)
    words = spoken_words(script)
    turns = build_turns(words, 1.0) if words else turns_from_segments(diar.exclusive, config.rttm_turn_gap_s)
    return compute_metrics(diarization=diar, turns=turns, words=words, directives=tuple(directives),
                           duration=duration, config=config)


def stats(metrics: SessionMetrics, speaker: str):
    return next(s for s in metrics.speakers if s.speaker == speaker)


def test_meeting_builder_attributes_words_to_the_scripted_speaker():
    words = spoken_words([(0, 2, "A", "hello there"), (2, 3, "B", "hi")])
    assert [(w.word.text, w.speaker) for w in words] == [("hello", "A"), ("there", "A"), ("hi", "B")]


def test_meeting_builder_without_text_derives_turns_from_the_diarization():
    m = meeting([(0, 5, "A", ""), (6, 9, "B", "")])
    assert [(s.speaker, s.turns, s.words) for s in m.speakers] == [("A", 1, 0), ("B", 1, 0)]
