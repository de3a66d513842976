"""How a session result names people and times for humans: group names in place of
diarization labels, clock times, readable group-index rows. Shared by every export format.
"""

from __future__ import annotations

import re
from dataclasses import fields

from analyzer.core.schema import SessionResult, VoiceStats


def display_name(result: SessionResult, label: str) -> str:
    return result.speaker_names.get(label, label)


def with_names(result: SessionResult, text: str) -> str:
    """``text`` (a verdict reason, say) with every named diarization label replaced by the name."""
    names = {label: name for label, name in result.speaker_names.items() if name}
    if not names:
        return text
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(label)}(?![\w-])"
                                  for label in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda match: names[match.group(0)], text)


def format_clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def index_rows(result: SessionResult) -> list[tuple[str, str]]:
    """The group indices as (readable name, formatted value); the hub is shown by name."""
    if result.metrics is None:
        return []
    rows = []
    for f in fields(result.metrics.group):
        value = getattr(result.metrics.group, f.name)
        if isinstance(value, float):
            text = f"{value:.3f}"
        elif isinstance(value, str):
            text = display_name(result, value) if f.name == "hub" else value
        else:
            text = "-" if value is None else str(value)
        rows.append((f.name.replace("_", " "), text))
    return rows


def voice_cells(v: VoiceStats) -> dict[str, str]:
    """A :class:`VoiceStats` row as short human-readable cells (CLI, Markdown, HTML)."""
    def fmt(value: float | None, pattern: str) -> str:
        return "-" if value is None else pattern.format(value)

    pace = "-" if v.pace_wpm is None else f"{v.pace_wpm:.0f} wpm" + (" (est.)" if v.pace_source == "syllables" else "")
    return {"energy_share": f"{v.energy_share:.0%}", "loud_p90": fmt(v.loud_p90_db, "+{:.1f} dB"),
            "pitch": fmt(v.pitch_median_hz, "{:.0f} Hz"), "pitch_range": fmt(v.pitch_range_st, "{:.1f} st"),
            "pace": pace, "level": fmt(v.median_level_db, "{:.0f} dBFS")}


def removed_notice(result: SessionResult) -> str:
    """The standing notice of a session whose voice figures a correction removed ("" otherwise):
    what the report, the dashboard and ``sessions show`` say where the voice figures were."""
    metrics = result.metrics
    if metrics is None or metrics.voice is not None or not metrics.voice_removed:
        return ""
    return removed_sentence(metrics.voice_removed)


def removed_sentence(why: str) -> str:
    """Why a correction left a session without voice figures, as one line (``why`` ends the clause)."""
    return (f"voice figures (energy, pitch, pace, raised voices) were removed: they belonged to the speakers "
            f"before the correction and {why}; analyse the recording again to measure them")
