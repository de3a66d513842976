"""Every export of a session result: JSON, CSV (people, turns), RTTM, SRT, VTT, text, Markdown, HTML.

:func:`export` picks the format by name; the HTML report lives in :mod:`analyzer.formats.report_html`.
Pure: no analysis logic.

Speaker names given by the group (``result.speaker_names``) replace labels in
human-facing exports; RTTM keeps the diarization labels unless ``use_names``.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.core.schema import SessionResult
from analyzer.formats.names import display_name, format_clock, index_rows, voice_cells, with_names
from analyzer.formats.report_html import to_html


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


# -- shareable exports (JSON, CSV, subtitles, Markdown) and the one dispatcher -----------------------

EXPORT_FORMATS = ("json", "csv", "csv-turns", "csv-raised", "rttm", "srt", "vtt", "md", "html", "txt")
# One row per event (a raised-voice moment), so a session without such events exports only the header and
# names nobody; every other format names each person.
EVENT_FORMATS = ("csv-raised",)
EXTENSIONS = {"json": "json", "csv": "csv", "csv-turns": "csv", "csv-raised": "csv", "rttm": "rttm", "srt": "srt", "vtt": "vtt",
              "md": "md", "html": "html", "txt": "txt"}
_ALIASES = {"markdown": "md", "webvtt": "vtt", "csv-people": "csv", "text": "txt"}
MAX_CUE_WORDS = 12
MAX_CUE_S = 6.0

PEOPLE_COLUMNS = ("label", "name", "speaking_time_s", "share", "meeting_share", "overlap_time_s", "turns",
                  "mean_turn_s", "median_turn_s", "longest_turn_s", "monologues", "monologue_time_s", "words",
                  "words_per_minute", "questions", "backchannels", "median_response_latency_s",
                  "interruptions_made", "interruptions_received", "directives", "silent_attendee")
VOICE_COLUMNS = ("energy_db", "energy_share", "median_level_db", "loud_p90_db", "pitch_median_hz",
                 "pitch_range_st", "syllables_per_minute", "pace_wpm", "pace_source", "raised_moments",
                 "raised_time_s")
RAISED_COLUMNS = ("label", "name", "start_s", "end_s", "above_db", "quote")
TURN_COLUMNS = ("index", "label", "name", "start_s", "end_s", "duration_s", "word_count", "text")


def to_json(result: SessionResult) -> str:
    """The full result as ``result.json`` writes it (names included)."""
    import json

    from analyzer.formats.serialize import result_to_dict

    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"


def _csv(header: tuple[str, ...], rows: list[list[object]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value: float | None, digits: int = 3) -> object:
    return "" if value is None else round(value, digits)


def to_csv_people(result: SessionResult) -> str:
    """One row per person: speaking time, share, turns, interruptions, directives (names included)."""
    if result.metrics is None:
        return _csv(PEOPLE_COLUMNS, [[label, display_name(result, label)] + [""] * (len(PEOPLE_COLUMNS) - 2)
                                     for label in result.diarization.speakers])
    rows = []
    for s in result.metrics.speakers:
        rows.append([s.speaker, display_name(result, s.speaker), _number(s.speaking_time), _number(s.share, 4),
                     _number(s.meeting_share, 4), _number(s.overlap_time), s.turns, _number(s.mean_turn),
                     _number(s.median_turn), _number(s.longest_turn), s.monologues, _number(s.monologue_time),
                     s.words, _number(s.words_per_minute, 1), s.questions, s.backchannels,
                     _number(s.median_response_latency), s.interruptions_made.total,
                     s.interruptions_received.total, s.directives.total,
                     str(s.silent_attendee).lower()])
    voice = result.metrics.voice
    if voice is None:
        return _csv(PEOPLE_COLUMNS, rows)
    by_label = {v.speaker: v for v in voice.speakers}
    for row in rows:
        v = by_label.get(row[0])
        row.extend([""] * len(VOICE_COLUMNS) if v is None else [
            _number(v.energy_db, 2), _number(v.energy_share, 4), _number(v.median_level_db, 2),
            _number(v.loud_p90_db, 2), _number(v.pitch_median_hz, 1), _number(v.pitch_range_st, 2),
            _number(v.syllables_per_minute, 1), _number(v.pace_wpm, 1), v.pace_source, v.raised_moments,
            _number(v.raised_time, 2)])
    return _csv(PEOPLE_COLUMNS + VOICE_COLUMNS, rows)


def to_csv_raised(result: SessionResult) -> str:
    """One row per raised-voice moment: who, when, how far above their own median, what they said."""
    voice = result.metrics.voice if result.metrics else None
    return _csv(RAISED_COLUMNS, [[m.speaker, display_name(result, m.speaker), _number(m.start), _number(m.end),
                                  _number(m.above_db, 1), m.quote] for m in (voice.raised if voice else ())])



def to_csv_turns(result: SessionResult) -> str:
    """One row per turn: who (label and name), when, how long, how many words, what was said."""
    return _csv(TURN_COLUMNS, [[t.index, t.speaker, display_name(result, t.speaker), _number(t.start),
                                _number(t.end), _number(t.end - t.start), t.word_count, t.text]
                               for t in result.turns])


def subtitle_cues(result: SessionResult) -> list[tuple[float, float, str, str]]:
    """``(start, end, name, text)`` cues: each turn split at most every 12 words or 6 seconds."""
    cues = []
    for turn in result.turns:
        words = [w.word for w in result.words
                 if w.speaker == turn.speaker and turn.start <= w.word.start <= turn.end]
        name = display_name(result, turn.speaker)
        if not words:
            cues.append((turn.start, max(turn.end, turn.start + 0.5), name, turn.text))
            continue
        chunk: list = []
        for word in words:
            if chunk and (len(chunk) >= MAX_CUE_WORDS or word.end - chunk[0].start > MAX_CUE_S):
                cues.append(_cue(chunk, name))
                chunk = []
            chunk.append(word)
        cues.append(_cue(chunk, name))
    return cues


def _cue(words: list, name: str) -> tuple[float, float, str, str]:
    start, end = words[0].start, max(words[-1].end, words[0].start + 0.2)
    return start, end, name, " ".join(w.text.strip() for w in words)


def _timestamp(seconds: float, separator: str) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    return (f"{millis // 3_600_000:02d}:{millis % 3_600_000 // 60_000:02d}:"
            f"{millis % 60_000 // 1000:02d}{separator}{millis % 1000:03d}")


def to_srt(result: SessionResult) -> str:
    """SubRip subtitles, each cue prefixed with the speaker's name."""
    blocks = [f"{i}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{name}: {text}"
              for i, (start, end, name, text) in enumerate(subtitle_cues(result), start=1)]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(result: SessionResult) -> str:
    """WebVTT subtitles with voice spans (``<v Name>text``)."""
    blocks = ["WEBVTT"]
    blocks += [f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n<v {_vtt_escape(name)}>{_vtt_escape(text)}"
               for start, end, name, text in subtitle_cues(result)]
    return "\n\n".join(blocks) + "\n"


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(result: SessionResult, title: str | None = None) -> str:
    """A readable report: verdict and reasons, a table per person, group indices, the transcript."""
    title = title or Path(result.recording.path).stem
    lines = [f"# {_md_cell(title)}", "",
             f"- Recording: `{Path(result.recording.path).name}` ({format_clock(result.recording.duration)})",
             f"- Analysed: {result.provenance.created_at} with Floorshare {result.provenance.analyzer_version}",
             ""]
    metrics = result.metrics
    if metrics is not None:
        lines += [f"## Verdict: {metrics.verdict.label.replace('_', ' ')}", ""]
        lines += [f"- {_md_cell(with_names(result, reason))}" for reason in metrics.verdict.reasons] + [""]
        lines += ["## People", "", "| Person | Speaking time | Share | Turns | Words | Interruptions made "
                  "| Interrupted | Directives |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for s in metrics.speakers:
            lines.append(f"| {_md_cell(display_name(result, s.speaker))} | {format_clock(s.speaking_time)} "
                         f"| {s.share:.0%} | {s.turns} | {s.words} | {s.interruptions_made.total} "
                         f"| {s.interruptions_received.total} | {s.directives.total} |")
        lines += _markdown_voice(result)
        lines += ["", "## Group balance", "", "| Index | Value |", "|---|---:|"]
        lines += [f"| {name} | {_md_cell(value)} |" for name, value in index_rows(result)]
        lines.append("")
    lines += ["## Transcript", ""]
    lines += [f"**{_md_cell(display_name(result, t.speaker))}** [{format_clock(t.start)}]: {_md_cell(t.text)}  "
              for t in result.turns]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_voice(result: SessionResult) -> list[str]:
    voice = result.metrics.voice if result.metrics else None
    if voice is None:
        return []
    lines = ["", "## How people sound", "", "| Person | Energy share | Loudest 10 % above own median | Pitch median "
             "| Pitch range | Pace | Raised voices |", "|---|---:|---:|---:|---:|---:|---:|"]
    for v in voice.speakers:
        c = voice_cells(v)
        lines.append(f"| {_md_cell(display_name(result, v.speaker))} | {c['energy_share']} | {c['loud_p90']} "
                     f"| {c['pitch']} | {c['pitch_range']} | {c['pace']} | {v.raised_moments} |")
    if voice.raised:
        lines += ["", "Raised voices:", ""]
        lines += [f"- [{format_clock(m.start)}] {_md_cell(display_name(result, m.speaker))} (+{m.above_db:.0f} dB, "
                  f"{m.end - m.start:.1f} s): \"{_md_cell(m.quote)}\"" for m in voice.raised]
    if voice.heated:
        lines += ["", "Heated stretches:", ""]
        lines += [f"- {format_clock(h.start)}-{format_clock(h.end)}: {h.raised} raised voice(s), {h.interruptions} "
                  f"interruption(s), {h.changes_per_minute:.0f} floor changes per minute "
                  f"({_md_cell(', '.join(display_name(result, p) for p in h.speakers))})" for h in voice.heated]
    return lines


def export(result: SessionResult, fmt: str, *, title: str | None = None, agreements=None) -> str:  # noqa: ANN001
    """Render ``result`` in ``fmt`` (one of :data:`EXPORT_FORMATS`); names replace labels everywhere.

    ``agreements`` (:class:`analyzer.metrics.agreements.SessionAgreements`, from
    ``SessionStore.agreements``) opens the HTML report when given.

    Raises:
        ConfigError: for an unknown format (the message lists the known ones).
    """
    from analyzer.core.errors import ConfigError

    key = _ALIASES.get(fmt.lower(), fmt.lower())
    if key == "json":
        return to_json(result)
    if key == "csv":
        return to_csv_people(result)
    if key == "csv-turns":
        return to_csv_turns(result)
    if key == "csv-raised":
        return to_csv_raised(result)
    if key == "rttm":
        return to_rttm(result, use_names=True)
    if key in ("srt", "vtt", "txt"):
        return {"srt": to_srt, "vtt": to_vtt, "txt": to_transcript_text}[key](result)
    if key == "md":
        return to_markdown(result, title=title)
    if key == "html":
        return to_html(result, title=title, agreements=agreements)
    raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
