"""Plain-words doubts about the speakers the diarization found (pure: standard library only).

The diarizer measures, per speaker, how clearly their voice samples stand apart
(:class:`analyzer.schema.SpeakerConfidence`). A balance figure is only as good as the
count of people behind it, so the reports say next to the numbers when two speakers may
be one person (their voices are very alike: one person's time may be split in two), when
one speaker may be two people (their samples form two distinct groups: someone else's
speech may be counted as theirs), or when few clear samples back a speaker.
"""

from __future__ import annotations

from analyzer.core.config import DiarizationConfig
from analyzer.core.schema import SessionResult


def _low_confidence(result: SessionResult) -> float:
    stored = (result.config or {}).get("diarization", {}) if isinstance(result.config, dict) else {}
    return float(stored.get("low_confidence", DiarizationConfig().low_confidence))


def speaker_doubts(result: SessionResult) -> dict[str, str]:
    """Speaker label -> one sentence about why their numbers may be off (only doubtful speakers)."""
    names = result.speaker_names or {}

    def name(label: str) -> str:
        return names.get(label, label)

    doubts: dict[str, str] = {}
    low = _low_confidence(result)
    for c in result.diarization.confidence:
        if c.same_as:
            doubts[c.speaker] = (f"{name(c.speaker)} and {name(c.same_as)} sound very alike and may be the same "
                                 "person: their speaking times may be one person's time split in two.")
        elif c.maybe_two:
            doubts[c.speaker] = (f"{name(c.speaker)} may be two people counted as one: their share may include "
                                 "someone else's speech.")
        elif c.confidence < low:
            doubts[c.speaker] = (f"Few clear voice samples back {name(c.speaker)} (confidence {c.confidence:.0%}): "
                                 "treat this person's numbers with caution.")
    return doubts


def merge_suggestions(result: SessionResult) -> list[tuple[str, str]]:
    """(keep, drop) for each pair of speakers who may be one person: the one with less speech merges
    into the other (ties by label). Each pair once, both still in the diarization."""
    speech = {s.speaker: s.speaking_time for s in (result.metrics.speakers if result.metrics else ())}
    present = set(result.diarization.speakers)
    pairs: list[tuple[str, str]] = []
    for c in result.diarization.confidence:
        if c.same_as in present and c.speaker in present:
            keep, drop = sorted((c.speaker, c.same_as), key=lambda label: (-speech.get(label, 0.0), label))
            if (keep, drop) not in pairs:
                pairs.append((keep, drop))
    return pairs


def confidence_label(result: SessionResult, speaker: str) -> str:
    """A short cell for tables: the confidence as a percentage with a warning mark when doubtful."""
    c = result.diarization.confidence_of(speaker)
    if c is None:
        return "-"
    return f"{c.confidence:.0%}" + (" ⚠" if speaker in speaker_doubts(result) else "")


def count_note(result: SessionResult) -> str | None:
    """A sentence about the speaker count when any speaker is in doubt, else None."""
    doubts = speaker_doubts(result)
    if not doubts:
        return None
    merged = any(c.maybe_two for c in result.diarization.confidence)
    split = any(c.same_as for c in result.diarization.confidence)
    parts = []
    if split:
        parts.append("there may be fewer people than speakers listed")
    if merged:
        parts.append("there may be more people than speakers listed")
    if not parts:
        parts.append("some speakers are backed by few clear voice samples")
    return ("The speaker count is uncertain: " + " and ".join(parts)
            + ". Shares and verdict depend on it; listen to the recording before acting on them.")
