"""The one path from words and a diarization to metrics: attribute -> turns -> directives -> metrics.

Used by the analysis (:mod:`analyzer.pipeline.analysis`), by ``floorshare metrics --rttm
[--words]`` (:func:`analyzer.pipeline.sources.metrics_from_segments`), by ``floorshare eval``
(through the analysis) and by the corrections of a stored session
(:func:`analyzer.pipeline.corrections.recompute`). Pure: no models, no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from analyzer.core.align import attribute_words, build_turns, unattributed_count
from analyzer.core.config import AnalysisConfig
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import DirectiveHit, Diarization, SessionMetrics, SpeakerWord, Turn, VoiceFrames, Word
from analyzer.directives import find_directives
from analyzer.metrics import compute_metrics
from analyzer.metrics.turns import turns_from_segments


@dataclass(frozen=True, slots=True)
class Measures:
    """Everything derived from a diarization and (optionally) timed words."""

    words: tuple[SpeakerWord, ...]
    turns: tuple[Turn, ...]
    directives: tuple[DirectiveHit, ...]
    metrics: SessionMetrics


def attribute(words: Sequence[Word] | None, diarization: Diarization,
              config: AnalysisConfig) -> tuple[tuple[SpeakerWord, ...], tuple[Turn, ...]]:
    """Words attributed to speakers and grouped into turns.

    Without words (``None``: an RTTM alone) the turns come from the exclusive track, joined
    across pauses up to ``config.metrics.rttm_turn_gap_s``, and no word is attributed.
    """
    if words is None:
        return (), tuple(turns_from_segments(diarization.exclusive, config.metrics.rttm_turn_gap_s))
    attributed = tuple(attribute_words(words, diarization.exclusive, config.alignment.max_snap_s))
    return attributed, tuple(build_turns(attributed, config.alignment.max_gap_s))


def score(diarization: Diarization, words: tuple[SpeakerWord, ...], turns: tuple[Turn, ...],
          config: AnalysisConfig, *, duration: float, with_directives: bool = True,
          voice_frames: Sequence[VoiceFrames] | None = None) -> tuple[tuple[DirectiveHit, ...], SessionMetrics]:
    """Directives (timed by their words) and every metric, from attributed words and turns (and voice frames)."""
    directives: tuple[DirectiveHit, ...] = ()
    if with_directives:
        directives = tuple(find_directives(turns, language=config.directives_language, words=words))
    metrics = compute_metrics(diarization=diarization, turns=turns, words=words, directives=directives,
                              duration=duration, config=config.metrics,
                              unattributed_words=unattributed_count(words), voice_frames=voice_frames,
                              voice_config=config.voice)
    return directives, metrics


def measure(diarization: Diarization, words: Sequence[Word] | None, config: AnalysisConfig, *,
            duration: float, hook: Hook = null_hook, voice_frames: Sequence[VoiceFrames] | None = None) -> Measures:
    """Attribute ``words`` (None: none known), build turns, find directives, compute metrics.

    ``voice_frames``: the prosody stage's features of the same recording (None: no voice metrics).
    """
    hook("align", 0, 1)
    attributed, turns = attribute(words, diarization, config)
    hook("align", 1, 1)
    hook("metrics", 0, 1)
    directives, metrics = score(diarization, attributed, turns, config, duration=duration,
                                with_directives=words is not None, voice_frames=voice_frames)
    hook("metrics", 1, 1)
    return Measures(attributed, turns, directives, metrics)
