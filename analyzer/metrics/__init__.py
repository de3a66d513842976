"""Balance metrics and the verdict, from the diarization, turns and words. Pure Python, no ML imports.

Entry point: :func:`compute_metrics`. Definitions, parameters and citations: docs/metrics.md.
Modules: :mod:`.intervals` (time arithmetic), :mod:`.text` (backchannel words, questions),
:mod:`.turns` (backchannels, floor turns, turns from an RTTM), :mod:`.interruptions`,
:mod:`.group` (balance indices, transition graph), :mod:`.speakers` (per-person rows),
:mod:`.verdict` (verdict and timeline).
"""

from __future__ import annotations

from typing import Sequence

from analyzer.core.config import MetricsConfig, VoiceConfig
from analyzer.metrics.group import balance, graph_indices, transition_matrix, turn_taking_index
from analyzer.metrics.interruptions import find_interruptions, interruption_tables
from analyzer.metrics.intervals import by_speaker, overlapped_time, total, union
from analyzer.metrics.speakers import (
    people_with_silent, response_latencies, speaker_stats, words_per_person,
)
from analyzer.metrics.turns import floor_turns, is_backchannel_turn, turns_from_segments
from analyzer.metrics.verdict import VerdictInputs, decide, timeline
from analyzer.core.schema import (
    DirectiveHit, Diarization, GroupIndices, SessionMetrics, SpeakerWord, Turn, VoiceFrames,
)
from analyzer.metrics.voice import heated_reason, voice_metrics

__all__ = ["compute_metrics", "turns_from_segments"]


def compute_metrics(*, diarization: Diarization, turns: Sequence[Turn], words: Sequence[SpeakerWord],
                    directives: Sequence[DirectiveHit], duration: float, config: MetricsConfig,
                    unattributed_words: int = 0, voice_frames: Sequence[VoiceFrames] | None = None,
                    voice_config: VoiceConfig | None = None) -> SessionMetrics:
    """Every balance number of one session.

    Args:
        diarization: ``segments`` (overlapping track: overlap and interruptions) and
            ``exclusive`` (one speaker at a time: speaking time and shares).
        turns: turns from the words (or :func:`turns_from_segments` without words).
        words: attributed words (may be empty).
        directives: directive hits (may be empty).
        duration: the recording's length in seconds (extended to the last segment if shorter).
        config: thresholds; ``config.attendees`` adds silent attendees.
        unattributed_words: words no speaker could be given (reported, not guessed).
        voice_frames: the prosody stage's frame features (None: no voice metrics).
        voice_config: the voice metrics' parameters (default :class:`VoiceConfig`).

    Returns:
        The :class:`SessionMetrics`; with no speech the verdict is ``no_speech``.
    """
    overlapping = diarization.segments or diarization.exclusive
    ends = [s.end for s in (*overlapping, *diarization.exclusive)] + [t.end for t in turns]
    duration = max([duration, *ends])
    exclusive = by_speaker(diarization.exclusive)
    activity = by_speaker(overlapping)
    diarized = _speaker_order(diarization, exclusive, activity, turns)
    people, silent = people_with_silent(diarized, config.attendees)
    times = {p: total(exclusive.get(p, [])) for p in people}
    total_speech = sum(times.values())
    overlap_all, overlap_by = overlapped_time(activity)
    speech_union = total(union(i for items in activity.values() for i in items))

    floor = floor_turns(turns, config)
    matrix = transition_matrix(floor)
    graph = graph_indices(matrix, people)
    interruptions, backchannels = find_interruptions(overlapping, words, turns, config)
    made, received, int_matrix = interruption_tables(interruptions, people)
    latencies = response_latencies(floor, activity)
    word_counts = words_per_person(words)
    changes = sum(1 for a, b in zip(floor, floor[1:]) if a.speaker != b.speaker)

    rows = tuple(speaker_stats(
        p, silent=p in silent, speaking_time=times[p], overlap_time=overlap_by.get(p, 0.0),
        total_speech=total_speech, duration=duration, floor=[f for f in floor if f.speaker == p],
        turns=[t for t in turns if t.speaker == p], word_count=word_counts.get(p, 0),
        latencies=latencies.get(p, []), backchannels=backchannels.get(p, 0), made=made[p],
        received=received[p], directives=[d for d in directives if d.speaker == p],
        all_directives=len(directives), config=config) for p in people)

    voice = None
    if voice_frames is not None:
        voice = voice_metrics(voice_frames, people=people, words=words, word_counts=word_counts,
                              speaking_times=times, interruptions=interruptions, floor=floor,
                              duration=duration, config=voice_config or VoiceConfig())
    indices = balance(times)
    non_backchannel = [t.speaker for t in sorted(turns, key=lambda t: (t.start, t.end))
                       if not is_backchannel_turn(t, config)]
    group = GroupIndices(
        gini=indices["gini"], entropy_norm=indices["entropy_norm"],
        effective_speakers=indices["effective_speakers"], inverse_simpson=indices["inverse_simpson"],
        largest_share=indices["largest_share"],
        speaker_changes_per_minute=60.0 * changes / duration if duration > 0 else 0.0,
        turn_taking_index=turn_taking_index(non_backchannel), hub_share=graph["hub_share"],
        spoke_to_spoke_share=graph["spoke_to_spoke_share"], reciprocity=graph["reciprocity"],
        centralization=graph["centralization"], hub=graph["hub"])
    verdict = decide(VerdictInputs(
        shares={p: (times[p] / total_speech if total_speech > 0 else 0.0) for p in people}, silent=silent,
        hub=graph["hub"], hub_share=graph["hub_share"], reciprocity=graph["reciprocity"],
        effective_speakers=indices["effective_speakers"], floor_changes=changes,
        monologues={r.speaker: (r.monologues, r.monologue_time) for r in rows}, duration=duration,
        directives=tuple(directives), voice_reason=heated_reason(voice, duration)), config)
    return SessionMetrics(
        duration=duration, total_speech=total_speech, overlap_time=overlap_all,
        silence_time=max(0.0, duration - speech_union), unattributed_words=unattributed_words,
        speakers=rows, interruptions=interruptions, interruption_matrix=int_matrix,
        transitions=matrix, group=group, verdict=verdict,
        timeline=timeline(exclusive, duration, config) if total_speech > 0 or duration > 0 else (),
        voice=voice)


def _speaker_order(diarization: Diarization, exclusive: dict, activity: dict, turns: Sequence[Turn]) -> list[str]:
    """Diarized speakers, most speaking time first (ties by label)."""
    labels = set(diarization.speakers) | set(exclusive) | set(activity) | {t.speaker for t in turns}
    return sorted(labels, key=lambda p: (-total(exclusive.get(p, [])), p))
