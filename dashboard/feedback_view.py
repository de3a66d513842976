"""The feedback shown to the whole group at the end of a meeting, as one HTML block (rendering only).

Large type for a projector, plain words, and one page when printed (print CSS: the dashboard's
sidebar, header and buttons are hidden, the block is scaled to an A4 landscape page). People are
listed by name in alphabetical order, never by how much they spoke, all in one colour; the
agreements say "one person" rather than a name. Numbers come from the stored result, the
sentences from :mod:`analyzer.metrics.observations` and :mod:`analyzer.metrics.agreement_words`.
"""

from __future__ import annotations

import re
from html import escape

from analyzer.formats.names import display_name, format_clock
from analyzer.metrics.agreement_words import MEASURE_NAMES, goal_text, value_text
from analyzer.metrics.agreements import SessionAgreements
from analyzer.metrics.observations import observations
from analyzer.core.schema import SessionResult

FEEDBACK_VERDICTS = {
    "one_to_many": ("Mostly one voice", "Most of the talking came from one person."),
    "hub_and_spoke": ("Through one person", "The conversation went back and forth through one person, "
                                            "more than between the others."),
    "many_to_many": ("Many voices", "Several people spoke and answered each other; the floor moved "
                                    "around the group."),
    "no_speech": ("No speech found", "No speech was found in this recording."),
}
BAR_COLOUR = "#0072B2"  # one colour for everyone: the bars compare shares, not people

CSS = """
[data-testid="stMainBlockContainer"]{max-width:1700px;padding-top:4rem}
.fs-feedback{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;
  font-size:clamp(16px,1.75vw,32px);line-height:1.25;max-width:1500px;margin:0 auto}
.fs-feedback h1{font-size:1.05em;font-weight:500;color:#444;margin:0 0 .2em 0;padding:0}
.fs-feedback .fs-verdict{font-size:2.3em;font-weight:700;margin:.05em 0 .05em 0;line-height:1.1}
.fs-feedback .fs-sentence{font-size:1.1em;margin:0 0 .6em 0}
.fs-feedback .fs-columns{display:flex;gap:2.2em;align-items:flex-start}
.fs-feedback .fs-column{flex:1 1 0;min-width:0}
.fs-feedback h2{font-size:1.15em;margin:.3em 0 .4em 0;padding:0;border-bottom:3px solid #ddd}
.fs-feedback .fs-person{display:flex;align-items:center;gap:.5em;margin:.25em 0}
.fs-feedback .fs-name{flex:0 0 32%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.fs-feedback .fs-track{flex:1 1 auto;background:#eee;height:1.1em;border-radius:.2em}
.fs-feedback .fs-bar{background:#0072B2;height:100%;border-radius:.2em}
.fs-feedback .fs-pct{flex:0 0 3.2em;text-align:right;font-weight:600}
.fs-feedback ul{margin:0;padding:0;list-style:none}
.fs-feedback li{margin:.3em 0}
.fs-feedback .fs-ok{color:#006e4f;font-weight:700}.fs-feedback .fs-no{color:#b3261e;font-weight:700}
.fs-feedback .fs-detail{display:block;font-size:.8em;color:#333;margin-left:1.2em}
.fs-feedback .fs-notes li{margin:.35em 0}
.fs-feedback .fs-foot{font-size:.6em;color:#555;margin-top:.8em}
@media print{
  @page{size:A4 landscape;margin:10mm}
  html,body,#root,.stApp,[data-testid="stAppViewContainer"],[data-testid="stMain"],
  [data-testid="stMainBlockContainer"]{height:auto!important;min-height:0!important;overflow:visible!important;
    position:static!important;padding:0!important;margin:0!important;background:#fff!important}
  [data-testid="stSidebar"],[data-testid="stHeader"],header,[data-testid="stToolbar"],
  [data-testid="stDecoration"],[data-testid="stSidebarCollapsedControl"],[data-testid="stStatusWidget"],
  [data-testid="stElementContainer"]:not(:has(.fs-feedback)){display:none!important}
  .fs-feedback{font-size:16pt;max-width:none;break-inside:avoid;page-break-inside:avoid}
  .fs-feedback .fs-track{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .fs-feedback .fs-bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def person_name(result: SessionResult, label: str, number: int) -> str:
    """The group's name for a speaker, else a plain "Person N" (never a diarization label)."""
    name = display_name(result, label)
    if name != label or not re.fullmatch(r"(SPEAKER|SILENT)_\d+|attendee_\d+", label):
        return name
    return f"Person {number}"


def people_rows(result: SessionResult) -> list[tuple[str, float]]:
    """(name, share) per person: named people alphabetically, then unnamed ones; never by share."""
    if result.metrics is None:
        return []
    rows = [(person_name(result, s.speaker, i + 1), s.share) for i, s in enumerate(result.metrics.speakers)]
    named = sorted((r for r in rows if not r[0].startswith("Person ")), key=lambda r: r[0].lower())
    return named + [r for r in rows if r[0].startswith("Person ")]


def _people(result: SessionResult) -> str:
    rows = "".join(
        f'<div class="fs-person"><span class="fs-name">{escape(name)}</span>'
        f'<span class="fs-track"><span class="fs-bar" style="display:block;width:{max(0.0, share) * 100:.1f}%;'
        f'background:{BAR_COLOUR}"></span></span><span class="fs-pct">{share:.0%}</span></div>'
        for name, share in people_rows(result))
    return f"<h2>Share of the speaking time</h2>{rows or '<p>No speech was attributed to anyone.</p>'}"


def _agreements(agreements: SessionAgreements | None) -> str:
    if agreements is None or agreements.version is None or not agreements.checks:
        return ""
    items = []
    for check in agreements.checks:
        if check.kept is None:
            mark, css = "–", ""
        else:
            mark, css = ("✓ kept", "fs-ok") if check.kept else ("✗ not yet", "fs-no")
        measured = "" if check.measured is None else \
            f"{MEASURE_NAMES[check.goal.kind]} {value_text(check.goal.kind, check.measured)}"  # never a name
        items.append(f'<li><span class="{css}">{mark}</span> {escape(goal_text(check.goal))}'
                     f'<span class="fs-detail">{escape(measured)}</span></li>')
    return (f"<h2>Our agreements: {agreements.kept} of {agreements.judged} kept</h2>"
            f"<ul>{''.join(items)}</ul>")


def render(result: SessionResult, agreements: SessionAgreements | None, *, title: str, day: str) -> str:
    """The whole feedback block (a ``<style>`` and one ``<div class="fs-feedback">``)."""
    label = result.metrics.verdict.label if result.metrics else "no_speech"
    headline, sentence = FEEDBACK_VERDICTS.get(label, (label.replace("_", " ").capitalize(), ""))
    notes = "".join(f"<li>{escape(n)}</li>" for n in observations(result.metrics, agreements))
    agreed = _agreements(agreements)
    left = _people(result) + f'<h2>What we noticed</h2><ul class="fs-notes">{notes}</ul>'
    right = agreed or "<h2>Our agreements</h2><p>The group has not set agreements yet.</p>"
    return (f"<style>{CSS}</style>"
            f'<div class="fs-feedback" id="floorshare-feedback">'
            f"<h1>{escape(title)} &middot; {escape(day)} &middot; {format_clock(result.recording.duration)}</h1>"
            f'<p class="fs-verdict">{escape(headline)}</p><p class="fs-sentence">{escape(sentence)}</p>'
            f'<div class="fs-columns"><div class="fs-column">{left}</div>'
            f'<div class="fs-column">{right}</div></div>'
            '<p class="fs-foot">Estimates made by software from the audio: they describe how the conversation '
            "was shared, not the people in it.</p></div>")
