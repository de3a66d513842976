"""Per-person numbers: time, shares, turns, monologues, words, questions, latency, directives."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Mapping, Sequence

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import (
    DirectiveExample, DirectiveHit, DirectiveSummary, InterruptionCounts, SpeakerStats, SpeakerWord, Turn,
)
from analyzer.metrics.intervals import Interval, clip, intersect_length
from analyzer.metrics.text import count_questions
from analyzer.metrics.turns import FloorTurn

MAX_DIRECTIVE_EXAMPLES = 5


def people_with_silent(speakers: Sequence[str], attendees: Sequence[str]) -> tuple[list[str], list[str]]:
    """All people (diarized speakers first) and the labels of silent attendees.

    An attendee whose name is a diarized label is that speaker. When more people
    attended than were diarized, the difference are silent attendees: they keep
    their names when exactly that many names matched no speaker, otherwise they
    are labelled ``SILENT_01``, ``SILENT_02``...
    """
    unmatched = [a for a in attendees if a not in speakers]
    missing = max(0, len(attendees) - len(speakers))
    if missing and len(unmatched) == missing:
        silent = list(unmatched)
    else:
        silent = [f"SILENT_{i + 1:02d}" for i in range(missing)]
    return [*speakers, *silent], silent


def response_latencies(floor: Sequence[FloorTurn],
                       activity: Mapping[str, Sequence[Interval]]) -> dict[str, list[float]]:
    """Per person, the latency of each floor turn taken from someone else.

    Latency is the silence between the previous speaker's turn and this one; when
    the previous speaker was still talking (overlapping track) at this turn's start,
    it is minus the seconds both spoke within this turn.
    """
    found: dict[str, list[float]] = defaultdict(list)
    for prev, cur in zip(floor, floor[1:]):
        if prev.speaker == cur.speaker:
            continue
        previous_speech = activity.get(prev.speaker, ())
        if any(start <= cur.start < end for start, end in previous_speech):
            overlap = intersect_length(clip(previous_speech, cur.start, cur.end),
                                       clip(activity.get(cur.speaker, [(cur.start, cur.end)]), cur.start, cur.end))
            found[cur.speaker].append(-overlap)
        else:
            found[cur.speaker].append(cur.start - prev.end)
    return found


def directive_summary(hits: Sequence[DirectiveHit], all_hits: int, words: int,
                      speaking_time: float) -> DirectiveSummary:
    """Counts by category, rates per 100 words and per minute of own speech, share, first examples."""
    by_category: dict[str, int] = {}
    for hit in hits:
        by_category[hit.category] = by_category.get(hit.category, 0) + 1
    ordered = sorted(hits, key=lambda h: h.time)
    return DirectiveSummary(
        by_category=dict(sorted(by_category.items())),
        per_100_words=100.0 * len(hits) / words if words else 0.0,
        per_minute=60.0 * len(hits) / speaking_time if speaking_time > 0 else 0.0,
        share=len(hits) / all_hits if all_hits else 0.0,
        examples=tuple(DirectiveExample(h.time, h.category, h.text) for h in ordered[:MAX_DIRECTIVE_EXAMPLES]),
    )


def speaker_stats(person: str, *, silent: bool, speaking_time: float, overlap_time: float, total_speech: float,
                  duration: float, floor: Sequence[FloorTurn], turns: Sequence[Turn], word_count: int,
                  latencies: Sequence[float], backchannels: int, made: Mapping[str, int],
                  received: Mapping[str, int], directives: Sequence[DirectiveHit], all_directives: int,
                  config: MetricsConfig) -> SpeakerStats:
    """One person's row (``floor`` and ``turns`` are that person's only)."""
    lengths = [f.duration for f in floor]
    monologues = [d for d in lengths if d >= config.monologue_min_s]
    return SpeakerStats(
        speaker=person,
        speaking_time=speaking_time,
        overlap_time=overlap_time,
        share=speaking_time / total_speech if total_speech > 0 else 0.0,
        meeting_share=speaking_time / duration if duration > 0 else 0.0,
        turns=len(floor),
        mean_turn=statistics.fmean(lengths) if lengths else 0.0,
        median_turn=statistics.median(lengths) if lengths else 0.0,
        longest_turn=max(lengths, default=0.0),
        monologues=len(monologues),
        monologue_time=sum(monologues, 0.0),
        monologue_share=sum(monologues) / duration if duration > 0 else 0.0,
        words=word_count,
        words_per_minute=60.0 * word_count / speaking_time if speaking_time > 0 else 0.0,
        questions=sum(count_questions(t.text) for t in turns),
        median_response_latency=statistics.median(latencies) if latencies else None,
        backchannels=backchannels,
        interruptions_made=InterruptionCounts.from_mapping(made),
        interruptions_received=InterruptionCounts.from_mapping(received),
        directives=directive_summary(directives, all_directives, word_count, speaking_time),
        silent_attendee=silent,
    )


def words_per_person(words: Sequence[SpeakerWord]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for w in words:
        if w.speaker is not None:
            counts[w.speaker] += 1
    return counts
