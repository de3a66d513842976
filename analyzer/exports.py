"""Text exports of a session result (RTTM, plain transcript). Pure: no analysis logic.

Speaker names given by the group (``result.speaker_names``) replace labels in
human-facing exports; RTTM keeps the diarization labels unless ``use_names``.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.schema import SessionResult


def display_name(result: SessionResult, label: str) -> str:
    return result.speaker_names.get(label, label)


def format_clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def to_rttm(result: SessionResult, uri: str | None = None, use_names: bool = False) -> str:
    """RTTM lines of the overlapping diarization track, one per segment."""
    uri = uri or Path(result.recording.path).stem
    uri = uri.replace(" ", "_") or "recording"
    lines = []
    for seg in sorted(result.diarization.segments, key=lambda s: (s.start, s.speaker)):
        label = display_name(result, seg.speaker) if use_names else seg.speaker
        label = label.replace(" ", "_")
        lines.append(f"SPEAKER {uri} 1 {seg.start:.3f} {seg.end - seg.start:.3f} <NA> <NA> {label} <NA> <NA>")
    return "\n".join(lines) + ("\n" if lines else "")


def to_transcript_text(result: SessionResult) -> str:
    """One line per turn: ``[hh:mm:ss] SPEAKER: text``."""
    lines = [f"[{format_clock(t.start)}] {display_name(result, t.speaker)}: {t.text}" for t in result.turns]
    return "\n".join(lines) + ("\n" if lines else "")
