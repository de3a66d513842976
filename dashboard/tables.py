"""Schema -> pandas tables: the numbers behind every chart of a session report.

Pure functions of a :class:`~analyzer.core.schema.SessionResult` (no Streamlit, no
metric logic: they only reshape what :mod:`analyzer.metrics` computed). Speaker
labels are replaced by the names the group gave them.
"""

from __future__ import annotations

import pandas as pd

from analyzer.core.schema import SessionResult
from analyzer.formats.names import display_name, format_clock


def speaker_order(result: SessionResult, include_silent: bool = True) -> list[str]:
    """Display names, most speaking time first (silent attendees last, or left out)."""
    if result.metrics is None:
        return [display_name(result, s) for s in result.diarization.speakers]
    people = [s for s in result.metrics.speakers if include_silent or not s.silent_attendee]
    ranked = sorted(people, key=lambda s: (s.silent_attendee, -s.speaking_time, s.speaker))
    return [display_name(result, s.speaker) for s in ranked]


def share_table(result: SessionResult) -> pd.DataFrame:
    """One row per person: speaking time, share, turns, words, silent attendees included."""
    from analyzer.metrics.confidence import speaker_doubts

    doubts = speaker_doubts(result)
    rows = []
    for s in _speakers(result):
        confidence = result.diarization.confidence_of(s.speaker)
        rows.append({
            "person": display_name(result, s.speaker), "label": s.speaker,
            "speaking time (s)": round(s.speaking_time, 1), "share (%)": round(100 * s.share, 1),
            "share of meeting (%)": round(100 * s.meeting_share, 1), "turns": s.turns,
            "longest turn (s)": round(s.longest_turn, 1), "words": s.words,
            "words per minute": round(s.words_per_minute, 1), "silent attendee": s.silent_attendee,
            "distinct person (%)": None if confidence is None else round(100 * confidence.confidence),
            "doubt": doubts.get(s.speaker, ""),
        })
    table = pd.DataFrame(rows, columns=["person", "label", "speaking time (s)", "share (%)",
                                        "share of meeting (%)", "turns", "longest turn (s)", "words",
                                        "words per minute", "silent attendee", "distinct person (%)", "doubt"])
    return table.sort_values(["speaking time (s)", "person"], ascending=[False, True], ignore_index=True)


def timeline_table(result: SessionResult) -> pd.DataFrame:
    """Who spoke when: every diarization segment (overlaps kept) with the person's name."""
    rows = [{"person": display_name(result, s.speaker), "start (s)": round(s.start, 2),
             "end (s)": round(s.end, 2), "duration (s)": round(s.end - s.start, 2)}
            for s in sorted(result.diarization.segments, key=lambda s: (s.start, s.speaker))]
    return pd.DataFrame(rows, columns=["person", "start (s)", "end (s)", "duration (s)"])


def interruptions_table(result: SessionResult) -> pd.DataFrame:
    """Every interruption: when, who started, who held the floor, its type and overlap."""
    items = result.metrics.interruptions if result.metrics else ()
    rows = [{"time": format_clock(i.time), "time (s)": round(i.time, 2),
             "interrupter": display_name(result, i.interrupter),
             "interrupted": display_name(result, i.interrupted), "type": i.type.value,
             "overlap (s)": round(i.overlap, 2)} for i in items]
    return pd.DataFrame(rows, columns=["time", "time (s)", "interrupter", "interrupted", "type", "overlap (s)"])


def window_table(result: SessionResult) -> pd.DataFrame:
    """The timeline windows, tiled so that they do not overlap on screen.

    Each window is drawn from half-way to its neighbours' centres; its own start and
    end are kept as columns.
    """
    windows = sorted(result.metrics.timeline if result.metrics else (), key=lambda w: w.start)
    centres = [(w.start + w.end) / 2 for w in windows]
    rows = []
    for i, w in enumerate(windows):
        left = w.start if i == 0 else (centres[i - 1] + centres[i]) / 2
        right = w.end if i == len(windows) - 1 else (centres[i] + centres[i + 1]) / 2
        rows.append({"from (s)": round(left, 1), "to (s)": round(right, 1), "window": w.label.replace("_", " "),
                     "window start (s)": round(w.start, 1), "window end (s)": round(w.end, 1),
                     "speakers": ", ".join(display_name(result, s) for s in w.speakers)})
    return pd.DataFrame(rows, columns=["from (s)", "to (s)", "window", "window start (s)", "window end (s)",
                                       "speakers"])


def matrix_table(result: SessionResult, which: str = "interruptions") -> pd.DataFrame:
    """Long form of the interruption matrix (or the transition counts): from, to, count.

    Args:
        result: the session.
        which: ``"interruptions"`` (interrupter -> interrupted) or ``"transitions"``
            (who spoke -> who spoke next).
    """
    metrics = result.metrics
    matrix = {} if metrics is None else (metrics.interruption_matrix if which == "interruptions"
                                         else metrics.transitions)
    rows = [{"from": display_name(result, a), "to": display_name(result, b), "count": int(n)}
            for a, row in matrix.items() for b, n in row.items() if n]
    table = pd.DataFrame(rows, columns=["from", "to", "count"])
    return table.sort_values(["count", "from", "to"], ascending=[False, True, True], ignore_index=True)


def directives_table(result: SessionResult) -> pd.DataFrame:
    """Directive language: when, who, which category and rule, and the quote."""
    rows = [{"time": format_clock(d.time), "time (s)": round(d.time, 2),
             "person": display_name(result, d.speaker), "category": d.category.replace("_", " "),
             "rule": d.rule, "quote": d.text} for d in sorted(result.directives, key=lambda d: d.time)]
    return pd.DataFrame(rows, columns=["time", "time (s)", "person", "category", "rule", "quote"])


def questions_table(result: SessionResult) -> pd.DataFrame:
    """Questions asked, and each person's median gap before taking the floor (overlaps negative)."""
    rows = [{"person": display_name(result, s.speaker), "questions": s.questions,
             "median gap before speaking (s)": (None if s.median_response_latency is None
                                              else round(s.median_response_latency, 2)),
             "backchannels": s.backchannels} for s in _speakers(result)]
    return pd.DataFrame(rows, columns=["person", "questions", "median gap before speaking (s)", "backchannels"])


def transcript_table(result: SessionResult, query: str = "", people: list[str] | None = None) -> pd.DataFrame:
    """The turns, optionally filtered by people and by a case-insensitive text search."""
    needle = query.strip().lower()
    rows = []
    for t in result.turns:
        name = display_name(result, t.speaker)
        if people and name not in people:
            continue
        if needle and needle not in t.text.lower():
            continue
        rows.append({"turn": t.index, "time": format_clock(t.start), "start (s)": round(t.start, 2),
                     "person": name, "text": t.text, "words": t.word_count})
    return pd.DataFrame(rows, columns=["turn", "time", "start (s)", "person", "text", "words"])


def group_indices_table(result: SessionResult) -> pd.DataFrame:
    """The group's balance indices with a plain description of each."""
    if result.metrics is None:
        return pd.DataFrame(columns=["index", "value", "what it means"])
    g = result.metrics.group
    rows = [
        ("largest share", g.largest_share, "share of speaking time of the person who spoke most"),
        ("effective speakers", g.effective_speakers, "how many equal speakers would give the same spread"),
        ("balance (normalised entropy)", g.entropy_norm, "1 = everyone spoke equally, 0 = one person"),
        ("Gini", g.gini, "0 = equal speaking time, 1 = one person spoke"),
        ("speaker changes per minute", g.speaker_changes_per_minute, "how often the floor changed hands"),
        ("hub share", g.hub_share, "share of turn changes that involve the most connected person"),
        ("spoke-to-spoke share", g.spoke_to_spoke_share,
         "share of turn changes that do not involve that person"),
        ("reciprocity", g.reciprocity, "how much handovers A -> B are matched by B -> A"),
        ("centralisation", g.centralization, "0 = handovers spread evenly, 1 = all through one person"),
    ]
    return pd.DataFrame([{"index": n, "value": round(float(v), 3), "what it means": m} for n, v, m in rows])


def _speakers(result: SessionResult):
    return result.metrics.speakers if result.metrics else ()
