"""Compare the metrics of two diarizations of one meeting (reference vs system). Pure Python.

System speakers are mapped one-to-one onto reference speakers so that the time
they speak together (overlapping tracks) is largest, as diarization error rate
scoring does (exact search over assignments for up to 12 system speakers, greedy
beyond). Every session, group and per-person number is listed with both values
and the difference (system minus reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from analyzer.core.schema import InterruptionType, SessionMetrics, SpeakerSegment
from analyzer.metrics.intervals import by_speaker, intersect_length

SESSION_FIELDS = ("duration", "total_speech", "overlap_time", "silence_time")
GROUP_FIELDS = ("gini", "entropy_norm", "effective_speakers", "inverse_simpson", "largest_share",
                "speaker_changes_per_minute", "turn_taking_index", "hub_share", "spoke_to_spoke_share",
                "reciprocity", "centralization")
SPEAKER_FIELDS = ("speaking_time", "overlap_time", "share", "meeting_share", "turns", "mean_turn",
                  "median_turn", "longest_turn", "monologues", "monologue_time", "words", "words_per_minute",
                  "questions", "median_response_latency", "backchannels")
INTERRUPTION_TYPES = tuple(InterruptionType)


@dataclass(frozen=True, slots=True)
class Row:
    """One compared number: ``difference`` is system minus reference (None when either is missing)."""

    section: str
    metric: str
    reference: float | str | None
    system: float | str | None
    difference: float | None


def map_speakers(reference: Sequence[SpeakerSegment], system: Sequence[SpeakerSegment]) -> dict[str, str]:
    """Reference label -> system label, maximising the total co-speaking time."""
    ref, sys = by_speaker(reference), by_speaker(system)
    ref_labels, sys_labels = sorted(ref), sorted(sys)
    gain = [[intersect_length(ref[r], sys[s]) for s in sys_labels] for r in ref_labels]
    if len(sys_labels) <= 12:
        pairs = _exact(tuple(tuple(row) for row in gain), len(sys_labels))
    else:
        pairs = _greedy(gain)
    return {ref_labels[i]: sys_labels[j] for i, j in pairs if gain[i][j] > 0}


def _exact(gain: tuple[tuple[float, ...], ...], n_sys: int) -> list[tuple[int, int]]:
    @lru_cache(maxsize=None)
    def best(i: int, used: int) -> tuple[float, tuple[tuple[int, int], ...]]:
        if i == len(gain):
            return 0.0, ()
        skip = best(i + 1, used)
        choice = skip
        for j in range(n_sys):
            if not used & (1 << j):
                value, rest = best(i + 1, used | (1 << j))
                if value + gain[i][j] > choice[0]:
                    choice = (value + gain[i][j], ((i, j), *rest))
        return choice

    return list(best(0, 0)[1])


def _greedy(gain: list[list[float]]) -> list[tuple[int, int]]:
    cells = sorted(((v, i, j) for i, row in enumerate(gain) for j, v in enumerate(row)), reverse=True)
    used_i, used_j, pairs = set(), set(), []
    for _, i, j in cells:
        if i not in used_i and j not in used_j:
            pairs.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return pairs


def _row(section: str, metric: str, ref: float | str | None, sys: float | str | None) -> Row:
    numeric = isinstance(ref, (int, float)) and isinstance(sys, (int, float))
    return Row(section, metric, ref, sys, float(sys) - float(ref) if numeric else None)


def compare_metrics(reference: SessionMetrics, system: SessionMetrics, mapping: dict[str, str]) -> list[Row]:
    """Every number of both metric sets, side by side (per-person rows follow ``mapping``)."""
    rows = [_row("session", f, getattr(reference, f), getattr(system, f)) for f in SESSION_FIELDS]
    rows.append(_row("session", "speakers", len(reference.speakers), len(system.speakers)))
    rows.append(_row("session", "verdict", reference.verdict.label, system.verdict.label))
    rows.append(_row("session", "timeline_agreement", None, _timeline_agreement(reference, system)))
    for kind in INTERRUPTION_TYPES:
        rows.append(_row("interruptions", kind, sum(1 for i in reference.interruptions if i.type == kind),
                         sum(1 for i in system.interruptions if i.type == kind)))
    rows.extend(_row("group", f, getattr(reference.group, f), getattr(system.group, f)) for f in GROUP_FIELDS)
    rows.append(_row("group", "hub", _mapped(reference.group.hub, mapping), system.group.hub))
    by_label = {s.speaker: s for s in system.speakers}
    for ref_stats in reference.speakers:
        sys_stats = by_label.get(mapping.get(ref_stats.speaker, ""))
        section = f"{ref_stats.speaker} ~ {sys_stats.speaker if sys_stats else 'none'}"
        for f in SPEAKER_FIELDS:
            rows.append(_row(section, f, getattr(ref_stats, f), getattr(sys_stats, f) if sys_stats else None))
        for name in ("interruptions_made", "interruptions_received"):
            sys_total = getattr(sys_stats, name).total if sys_stats else None
            rows.append(_row(section, name, getattr(ref_stats, name).total, sys_total))
    mapped = set(mapping.values())
    for extra in system.speakers:
        if extra.speaker not in mapped:
            rows.append(_row(f"unmapped ~ {extra.speaker}", "share", None, extra.share))
            rows.append(_row(f"unmapped ~ {extra.speaker}", "speaking_time", None, extra.speaking_time))
    return rows


def _mapped(label: str | None, mapping: dict[str, str]) -> str | None:
    return f"{label} (= {mapping[label]})" if label in mapping else label


def _timeline_agreement(reference: SessionMetrics, system: SessionMetrics) -> float | None:
    """Share of windows (matched by start time) with the same label."""
    sys_labels = {round(w.start, 3): w.label for w in system.timeline}
    pairs = [(w.label, sys_labels.get(round(w.start, 3))) for w in reference.timeline]
    pairs = [p for p in pairs if p[1] is not None]
    return sum(1 for a, b in pairs if a == b) / len(pairs) if pairs else None

