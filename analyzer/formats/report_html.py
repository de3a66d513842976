"""A self-contained HTML report of one session, to email to the group.

One file: inline CSS and inline SVG charts (share of speech, who spoke when, the
meeting's timeline windows, interruptions), the verdict, the group indices and the transcript.
It references nothing outside itself, so it opens offline. Names replace labels.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from analyzer.core.schema import SessionResult
from analyzer.formats.names import display_name, format_clock, index_rows, removed_notice, voice_cells, with_names

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
HEATED_COLOUR = "#c0392b"
WINDOW_COLOURS = {"monologue": "#e15759", "dialogue": "#f28e2b", "many_to_many": "#59a14f", "silence": "#d9d9d9"}
CHART_WIDTH = 760
LABEL_WIDTH = 140

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:860px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
.warning{background:#fff4e0;border-left:4px solid #e8a33d;padding:.3em .8em;margin:.6em 0}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#666}.verdict{font-size:1.3em;font-weight:600}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}
.turn{margin:.35em 0}.turn b{display:inline-block;min-width:9em}.time{color:#888;font-size:.85em}
svg text{font-size:12px;fill:#333}
.agreements{border:2px solid #4e79a7;border-radius:6px;padding:.4em 1em;margin:1em 0}
.agreements li{margin:.3em 0;list-style:none}.kept{color:#1a7f37}.missed{color:#b42318}
.moved{color:#555;font-size:.9em}
"""


def _colours(result: SessionResult) -> dict[str, str]:
    labels = list(result.diarization.speakers)
    if result.metrics:
        labels += [s.speaker for s in result.metrics.speakers if s.speaker not in labels]
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}


def _name(result: SessionResult, label: str) -> str:
    return escape(display_name(result, label))


def share_chart(result: SessionResult) -> str:
    """Horizontal bars: each person's share of the attributed speech."""
    if result.metrics is None or not result.metrics.speakers:
        return ""
    colours, bar_width = _colours(result), CHART_WIDTH - LABEL_WIDTH - 60
    rows = []
    for i, s in enumerate(result.metrics.speakers):
        y, width = i * 26, max(0.0, s.share) * bar_width
        rows.append(f'<text x="0" y="{y + 15}">{_name(result, s.speaker)}</text>'
                    f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="18" '
                    f'fill="{colours.get(s.speaker, "#888")}"/>'
                    f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 16}">{s.share:.0%}</text>')
    height = len(result.metrics.speakers) * 26 + 4
    return (f'<svg role="img" aria-label="share of speech" width="{CHART_WIDTH}" height="{height}" '
            f'viewBox="0 0 {CHART_WIDTH} {height}">{"".join(rows)}</svg>')


def timeline_chart(result: SessionResult) -> str:
    """One lane per speaker with the stretches they spoke (overlapping diarization)."""
    duration = max(result.recording.duration, max((s.end for s in result.diarization.segments), default=0.0))
    labels = list(result.diarization.speakers)
    if not labels or duration <= 0:
        return ""
    colours, scale = _colours(result), (CHART_WIDTH - LABEL_WIDTH) / duration
    lanes = {label: i for i, label in enumerate(labels)}
    parts = [f'<text x="0" y="{i * 22 + 15}">{_name(result, label)}</text>' for label, i in lanes.items()]
    for seg in result.diarization.segments:
        if seg.speaker in lanes:
            parts.append(f'<rect x="{LABEL_WIDTH + seg.start * scale:.1f}" y="{lanes[seg.speaker] * 22 + 3}" '
                         f'width="{max(0.5, (seg.end - seg.start) * scale):.1f}" height="16" '
                         f'fill="{colours[seg.speaker]}"><title>{_name(result, seg.speaker)} '
                         f'{format_clock(seg.start)}-{format_clock(seg.end)}</title></rect>')
    parts += _raised_marks(result, lanes, scale)
    axis_y = len(labels) * 22 + 14
    parts.append(f'<text x="{LABEL_WIDTH}" y="{axis_y}">0:00:00</text>'
                 f'<text x="{CHART_WIDTH - 60}" y="{axis_y}">{format_clock(duration)}</text>')
    return (f'<svg role="img" aria-label="who spoke when" width="{CHART_WIDTH}" height="{axis_y + 6}" '
            f'viewBox="0 0 {CHART_WIDTH} {axis_y + 6}">{"".join(parts)}</svg>')


def _raised_marks(result: SessionResult, lanes: dict[str, int], scale: float) -> list[str]:
    """Raised-voice moments as outlined boxes on the speaker's lane."""
    voice = result.metrics.voice if result.metrics else None
    marks = []
    for m in voice.raised if voice else ():
        if m.speaker in lanes:
            marks.append(f'<rect class="raised" x="{LABEL_WIDTH + m.start * scale:.1f}" y="{lanes[m.speaker] * 22 + 1}" '
                         f'width="{max(2.0, (m.end - m.start) * scale):.1f}" height="20" fill="none" '
                         f'stroke="{HEATED_COLOUR}" stroke-width="2"><title>raised voice: {_name(result, m.speaker)} '
                         f'{format_clock(m.start)} +{m.above_db:.0f} dB: {escape(m.quote)}</title></rect>')
    return marks


def heated_chart(result: SessionResult) -> str:
    """A strip marking the heated stretches (raised voices with interruptions or fast floor changes)."""
    voice = result.metrics.voice if result.metrics else None
    if voice is None:
        return ""
    duration = max(result.recording.duration, result.metrics.duration) or 1.0
    scale = (CHART_WIDTH - LABEL_WIDTH) / duration
    parts = ['<text x="0" y="15">heated</text>',
             f'<rect x="{LABEL_WIDTH}" y="2" width="{CHART_WIDTH - LABEL_WIDTH}" height="18" fill="#f4f4f4"/>']
    for h in voice.heated:
        parts.append(f'<rect class="heated" x="{LABEL_WIDTH + h.start * scale:.1f}" y="2" '
                     f'width="{max(1.0, (h.end - h.start) * scale):.1f}" height="18" fill="{HEATED_COLOUR}" '
                     f'fill-opacity="0.7"><title>heated {format_clock(h.start)}-{format_clock(h.end)}: {h.raised} '
                     f'raised voice(s), {h.interruptions} interruption(s), {h.changes_per_minute:.0f} floor changes/min'
                     f'</title></rect>')
    note = (f"{len(voice.heated)} heated stretch(es)" if voice.heated else "no heated stretch") + \
        "; red outlines on the lanes above are raised-voice moments"
    return (f'<svg role="img" aria-label="heated stretches" width="{CHART_WIDTH}" height="24" '
            f'viewBox="0 0 {CHART_WIDTH} 24">{"".join(parts)}</svg><p class="meta">{escape(note)}</p>')


def voice_section(result: SessionResult) -> str:
    """How people sound: a table per person and the raised-voice moments with quotes."""
    voice = result.metrics.voice if result.metrics else None
    if voice is None:
        notice = removed_notice(result)  # a correction removed them: say why, where they were
        if not notice:
            return ""
        return f'<h2>How people sound</h2><p class="meta">{escape(notice[:1].upper() + notice[1:])}.</p>'
    header = ("Person", "Energy share", "Loudest 10 % above own median", "Pitch median", "Pitch range", "Pace",
              "Raised voices")
    rows = []
    for v in voice.speakers:
        c = voice_cells(v)
        rows.append(f"<tr><td>{_name(result, v.speaker)}</td><td>{c['energy_share']}</td><td>{c['loud_p90']}</td>"
                    f"<td>{c['pitch']}</td><td>{c['pitch_range']}</td><td>{escape(c['pace'])}</td>"
                    f"<td>{v.raised_moments}</td></tr>")
    table = "<table><tr>" + "".join(f"<th>{h}</th>" for h in header) + f"</tr>{''.join(rows)}</table>"
    moments = "".join(f'<li><span class="time">{format_clock(m.start)}</span> <b>{_name(result, m.speaker)}</b> '
                      f"+{m.above_db:.0f} dB for {m.end - m.start:.1f} s: &ldquo;{escape(m.quote)}&rdquo;</li>"
                      for m in voice.raised)
    listing = f"<h3>Raised voices</h3><ul>{moments}</ul>" if moments else "<p>No raised-voice moments.</p>"
    note = ('<p class="meta">From each person\'s own speech only; loudness is relative to the person\'s own '
            "median, so the distance to the microphone cancels out. A soft voice is not a lack of power.</p>")
    return f"<h2>How people sound</h2>{table}{note}{listing}"


def window_strip(result: SessionResult) -> str:
    """A strip of the meeting's timeline windows (monologue, dialogue, many-to-many, silence)."""
    if result.metrics is None or not result.metrics.timeline:
        return ""
    windows = result.metrics.timeline
    duration = max(w.end for w in windows) or 1.0
    scale = (CHART_WIDTH - LABEL_WIDTH) / duration
    parts = ['<text x="0" y="15">windows</text>']
    for w in windows:
        parts.append(f'<rect x="{LABEL_WIDTH + w.start * scale:.1f}" y="2" '
                     f'width="{max(0.5, (w.end - w.start) * scale):.1f}" height="18" '
                     f'fill="{WINDOW_COLOURS.get(w.label, "#999")}" fill-opacity="0.55">'
                     f'<title>{escape(w.label.replace("_", " "))} {format_clock(w.start)}-'
                     f'{format_clock(w.end)}</title></rect>')
    legend = " ".join(f'<span style="color:{colour}">&#9632;</span> {escape(label.replace("_", " "))}'
                      for label, colour in WINDOW_COLOURS.items())
    return (f'<svg role="img" aria-label="timeline windows" width="{CHART_WIDTH}" height="24" '
            f'viewBox="0 0 {CHART_WIDTH} 24">{"".join(parts)}</svg><p class="meta">{legend}</p>')


def interruption_table(result: SessionResult) -> str:
    """Who interrupted whom (rows interrupt columns), shaded by count."""
    matrix = result.metrics.interruption_matrix if result.metrics else {}
    people = sorted({a for a in matrix} | {b for row in matrix.values() for b in row})
    if not people:
        return "<p>No interruptions.</p>"
    top = max((n for row in matrix.values() for n in row.values()), default=1) or 1
    head = "".join(f"<th>{_name(result, p)}</th>" for p in people)
    rows = []
    for a in people:
        cells = "".join(f'<td style="background:rgba(225,87,89,{matrix.get(a, {}).get(b, 0) / top * 0.6:.2f})">'
                        f"{matrix.get(a, {}).get(b, 0)}</td>" for b in people)
        rows.append(f"<tr><th>{_name(result, a)}</th>{cells}</tr>")
    return f"<table><tr><th>interrupter \\ interrupted</th>{head}</tr>{''.join(rows)}</table>"


def _people_table(result: SessionResult) -> str:
    if result.metrics is None:
        return ""
    from analyzer.metrics.confidence import confidence_label

    measured = bool(result.diarization.confidence)
    header = ("Person", "Speaking time", "Share", "Turns", "Words", "Questions", "Interruptions made",
              "Interrupted", "Directives") + (("Distinct person",) if measured else ())
    rows = "".join(
        f"<tr><td>{_name(result, s.speaker)}</td><td>{format_clock(s.speaking_time)}</td><td>{s.share:.0%}</td>"
        f"<td>{s.turns}</td><td>{s.words}</td><td>{s.questions}</td><td>{s.interruptions_made.total}</td>"
        f"<td>{s.interruptions_received.total}</td><td>{s.directives.total}</td>"
        + (f"<td>{escape('-' if s.silent_attendee else confidence_label(result, s.speaker))}</td>" if measured else "")
        + "</tr>" for s in result.metrics.speakers)
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in header) + f"</tr>{rows}</table>"


def _doubts(result: SessionResult) -> str:
    """A warning next to the shares when the diarization may have merged or split people."""
    from analyzer.metrics.confidence import count_note, speaker_doubts

    note = count_note(result)
    if not note:
        return ""
    items = "".join(f"<li>{escape(d)}</li>" for d in speaker_doubts(result).values())
    return f'<div class="warning"><p><b>Warning:</b> {escape(note)}</p><ul>{items}</ul></div>'


def _indices_table(result: SessionResult) -> str:
    if result.metrics is None:
        return ""
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(value)}</td></tr>"
                   for name, value in index_rows(result))
    return f"<table><tr><th>Index</th><th>Value</th></tr>{rows}</table>"


def _transcript(result: SessionResult) -> str:
    return "".join(f'<p class="turn"><span class="time">{format_clock(t.start)}</span> '
                   f"<b>{_name(result, t.speaker)}</b> {escape(t.text)}</p>" for t in result.turns)


def agreements_section(result: SessionResult, agreements) -> str:  # noqa: ANN001 - SessionAgreements
    """The group's agreements: kept or not, by how much, and what moved since the previous meeting."""
    from analyzer.metrics.agreement_words import agreement_lines, summary_line

    if agreements is None:
        return ""
    items = []
    for check, (goal, outcome, moved) in zip(agreements.checks, agreement_lines(
            agreements, lambda label: display_name(result, label))):
        css, mark = ("kept", "&#10003;") if check.kept else (("missed", "&#10007;") if check.kept is False
                                                             else ("", "&ndash;"))
        since = f'<br><span class="moved">{escape(moved)}</span>' if moved else ""
        items.append(f'<li><b class="{css}">{mark} {escape(goal)}</b>: {escape(outcome)}{since}</li>')
    return (f'<section class="agreements"><h2>Our agreements</h2><p>{escape(summary_line(agreements))}</p>'
            f'<ul>{"".join(items)}</ul></section>')


def to_html(result: SessionResult, title: str | None = None, agreements=None) -> str:  # noqa: ANN001
    """The whole report as one HTML document (UTF-8, no external resources); it opens with the group's
    agreements when ``agreements`` (``SessionStore.agreements``) is given."""
    title = escape(title or Path(result.recording.path).stem)
    metrics = result.metrics
    verdict = ""
    if metrics is not None:
        reasons = "".join(f"<li>{escape(with_names(result, r))}</li>" for r in metrics.verdict.reasons)
        verdict = (f'<h2>Verdict</h2><p class="verdict">{escape(metrics.verdict.label.replace("_", " "))}</p>'
                   f"<ul>{reasons}</ul>")
    sections = [
        f"<h1>{title}</h1>",
        f'<p class="meta">{escape(Path(result.recording.path).name)} &middot; '
        f"{format_clock(result.recording.duration)} &middot; analysed {escape(result.provenance.created_at)} "
        f"with Floorshare {escape(result.provenance.analyzer_version)}</p>",
        agreements_section(result, agreements),
        verdict,
        "<h2>Share of speech</h2>" + _doubts(result) + share_chart(result) if metrics else "",
        _people_table(result),
        "<h2>Who spoke when</h2>" + timeline_chart(result) + window_strip(result) + heated_chart(result),
        voice_section(result),
        "<h2>Interruptions</h2>" + interruption_table(result) if metrics else "",
        "<h2>Group balance</h2>" + _indices_table(result) if metrics else "",
        "<h2>Transcript</h2>" + _transcript(result),
    ]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(s for s in sections if s) + "\n</body></html>\n")
