"""Metrics from files people already have: an RTTM diarization and, optionally, timed words.

Words files: a JSON list of ``{"start", "end", "text"}`` objects, a JSON object with
a ``"words"`` list (a Floorshare ``result.json`` works), or an STM file
(``uri channel speaker start end text...``; each line's words are spread evenly over
its span). Words are always attributed to speakers with the RTTM's exclusive track
(:func:`analyzer.core.align.attribute_words`), so the speaker labels of the two files
never need to match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import InputFormatError
from analyzer.formats.fileio import read_text_input
from analyzer.formats.rttm import exclusive_from_overlapping, read_rttm
from analyzer.pipeline.measure import measure
from analyzer.core.schema import (
    DirectiveHit, Diarization, SessionMetrics, SpeakerSegment, SpeakerWord, Turn, Word,
)


def load_rttm_segments(path: str | Path, uri: str | None = None) -> tuple[str, tuple[SpeakerSegment, ...]]:
    """The segments of one recording in an RTTM file (``uri`` picks one when it holds several)."""
    recordings = read_rttm(path)
    if not recordings:
        raise InputFormatError(f"{path}: no SPEAKER lines found; give an RTTM diarization file")
    if uri is None:
        if len(recordings) > 1:
            raise InputFormatError(f"{path}: holds {len(recordings)} recordings "
                                   f"({', '.join(sorted(recordings))}); pick one with --uri")
        uri = next(iter(recordings))
    if uri not in recordings:
        raise InputFormatError(f"{path}: no recording {uri!r}; it has {', '.join(sorted(recordings))}")
    return uri, recordings[uri]


def read_words(path: str | Path) -> tuple[Word, ...]:
    """Timed words from a JSON or STM file (see the module docstring), sorted by start."""
    file = Path(path)
    text = read_text_input(file, "words file")
    words = _json_words(text, file) if text.lstrip()[:1] in ("[", "{") else _stm_words(file)
    return tuple(sorted(words, key=lambda w: (w.start, w.end)))


def _json_words(text: str, file: Path) -> list[Word]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"{file}: not valid JSON ({exc.msg}, line {exc.lineno}); fix the file") from None
    items = data.get("words") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputFormatError(f"{file}: expected a list of words or an object with a 'words' list")
    words = []
    for number, item in enumerate(items, start=1):
        try:
            start, end = float(item["start"]), float(item["end"])
            words.append(Word(start, max(start, end), str(item["text"]), float(item.get("probability", 1.0))))
        except (KeyError, TypeError, ValueError):
            raise InputFormatError(f"{file}: word {number} needs numeric 'start', 'end' and a 'text' "
                                   f"(got {item!r}); fix the file") from None
    return words


def _stm_words(file: Path) -> list[Word]:
    """Words of an STM reference, spread evenly over each segment (STM has no word times)."""
    from analyzer.formats.references import read_stm

    words = []
    for segment in read_stm(file).segments:
        tokens = segment.text.split()
        step = (segment.end - segment.start) / max(1, len(tokens))
        words.extend(Word(segment.start + i * step, segment.start + (i + 1) * step, token)
                     for i, token in enumerate(tokens))
    return words


def diarization_from_segments(segments: Sequence[SpeakerSegment]) -> Diarization:
    """A :class:`Diarization` whose exclusive track is derived with the most-recent-starter rule."""
    exclusive = exclusive_from_overlapping(segments)
    return Diarization(tuple(segments), exclusive, tuple(sorted({s.speaker for s in segments})))


def metrics_from_segments(segments: Sequence[SpeakerSegment], config: AnalysisConfig, *,
                          words: Sequence[Word] = (), duration: float = 0.0, voice_frames=None,
                          ) -> tuple[SessionMetrics, tuple[Turn, ...], tuple[SpeakerWord, ...],
                                     tuple[DirectiveHit, ...]]:
    """Every metric from a diarization (and words when given); turns come from words or the exclusive track.

    ``voice_frames`` (from the prosody stage on the same recording) add the voice metrics.
    The same path as the analysis (:func:`analyzer.pipeline.measure.measure`), so directive
    times come from the words here too.
    """
    measured = measure(diarization_from_segments(segments), tuple(words) or None, config, duration=duration,
                       voice_frames=voice_frames)
    return measured.metrics, measured.turns, measured.words, measured.directives
