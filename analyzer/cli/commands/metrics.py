"""``floorshare metrics --rttm FILE``: balance metrics from an existing diarization (and words)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.table import Table

from analyzer.cli.commands import options as o
from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console
from analyzer.core.errors import AnalyzerError
from analyzer.core.schema import SessionMetrics


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics)


def metrics(
    rttm: Path = typer.Option(..., "--rttm", help="RTTM diarization (SPEAKER lines; may overlap)."),
    words: Optional[Path] = typer.Option(None, "--words", help="Timed words: JSON list of {start, end, text}, "
                                         "a result.json, or an STM file. Without it turns come from the RTTM."),
    attendees: o.Attendees = None,
    as_json: bool = typer.Option(False, "--json", help="Print JSON with the metric keys of result.json."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="A second RTTM of the same meeting "
                                           "(a system output): print every metric from both and the differences."),
    uri: Optional[str] = typer.Option(None, "--uri", help="Recording to use when the RTTM holds several."),
    duration: Optional[float] = typer.Option(None, "--duration", min=0.0, help="Meeting length in seconds "
                                             "(default: the end of the last segment)."),
    config_file: o.ConfigFile = None,
) -> None:
    """Compute the balance metrics and the verdict from an RTTM, without audio.

    Exit code 0 on success, 1 when an input file is malformed, 2 for a usage error.
    """
    from analyzer.metrics.compare import compare_metrics, map_speakers
    from analyzer.pipeline.sources import load_rttm_segments, metrics_from_segments, read_words
    from analyzer.formats.serialize import metrics_to_dict, to_plain

    try:
        config = o.build_config(config_file, attendees=attendees)
        uri, segments = load_rttm_segments(rttm, uri)
        timed_words = read_words(words) if words else ()
        other = load_rttm_segments(compare, uri if uri in _uris(compare) else None)[1] if compare else ()
        length = max([duration or 0.0, *(s.end for s in (*segments, *other))])
        result, _, _, directives = metrics_from_segments(segments, config, words=timed_words, duration=length)
        if compare:
            system, *_ = metrics_from_segments(other, config, words=timed_words, duration=length)
            mapping = map_speakers(segments, other)
            rows = compare_metrics(result, system, mapping)
    except AnalyzerError as exc:
        raise fail(exc) from None
    if as_json:
        data = {"uri": uri, **metrics_to_dict(result), "directives": to_plain(directives)}
        if compare:
            data = {"uri": uri, "reference": data, "system": metrics_to_dict(system), "mapping": mapping,
                    "differences": [to_plain(r) for r in rows]}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if compare:
        print_comparison(rows, rttm, compare)
    else:
        print_metrics(result, f"{rttm.name} ({uri})")


def _uris(path: Path) -> set[str]:
    from analyzer.formats.rttm import read_rttm

    return set(read_rttm(path))


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def print_metrics(m: SessionMetrics, title: str) -> None:
    """Per-person table, group indices, the verdict and its reasons."""
    time_table = Table(title=f"{title}: {m.duration:.1f} s, {m.total_speech:.1f} s of speech, "
                             f"{m.overlap_time:.1f} s overlapped", box=box.SIMPLE_HEAD)
    talk_table = Table(title="interaction (latency: median seconds before taking the floor)", box=box.SIMPLE_HEAD)
    for table, columns in ((time_table, ("speaker", "time s", "share", "of mtg", "overlap", "turns",
                                         "mean", "longest", "monol.")),
                           (talk_table, ("speaker", "words", "wpm", "quest.", "latency", "backch.",
                                         "int. made", "int. recv.", "direct."))):
        for column in columns:
            table.add_column(column, justify="left" if column == "speaker" else "right", no_wrap=column == "speaker")
    for s in m.speakers:
        name = s.speaker + (" *" if s.silent_attendee else "")
        time_table.add_row(name, f"{s.speaking_time:.1f}", f"{s.share:.0%}", f"{s.meeting_share:.0%}",
                           f"{s.overlap_time:.1f}", str(s.turns), f"{s.mean_turn:.1f}", f"{s.longest_turn:.1f}",
                           str(s.monologues))
        talk_table.add_row(name, str(s.words), f"{s.words_per_minute:.0f}", str(s.questions),
                           _fmt(s.median_response_latency), str(s.backchannels),
                           str(s.interruptions_made.total), str(s.interruptions_received.total),
                           str(s.directives.total))
    console.print(time_table)
    console.print(talk_table)
    if any(s.silent_attendee for s in m.speakers):
        console.print("* silent attendee (counted with zero time)")
    g = m.group
    console.print(f"group: Gini {g.gini:.3f}, entropy {g.entropy_norm:.3f}, effective speakers "
                  f"{g.effective_speakers:.2f} (inverse Simpson {g.inverse_simpson:.2f}), largest share "
                  f"{g.largest_share:.0%}, {g.speaker_changes_per_minute:.1f} speaker changes/min, turn-taking "
                  f"index {g.turn_taking_index:.3f}", highlight=False)
    console.print(f"graph: hub {g.hub or '-'}, hub share {g.hub_share:.0%}, spoke-to-spoke "
                  f"{g.spoke_to_spoke_share:.0%}, reciprocity {g.reciprocity:.0%}, centralization {g.centralization:.3f}", highlight=False)
    kinds: dict[str, int] = {}
    for hit in m.interruptions:
        kinds[hit.type] = kinds.get(hit.type, 0) + 1
    console.print("interruptions: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"),
                  highlight=False)
    labels: dict[str, int] = {}
    for window in m.timeline:
        labels[window.label] = labels.get(window.label, 0) + 1
    console.print("timeline windows: " + ", ".join(f"{n} {k}" for k, n in sorted(labels.items())), highlight=False)
    console.print(f"verdict: [bold]{m.verdict.label.replace('_', ' ')}[/bold]")
    for reason in m.verdict.reasons:
        console.print(f"  - {reason}", highlight=False)


def print_comparison(rows: list, reference: Path, system: Path) -> None:
    """Every metric from both files and the difference (system minus reference)."""
    table = Table(title=f"reference {reference.name} vs system {system.name}")
    for column in ("section", "metric", "reference", "system", "difference"):
        table.add_column(column, justify="left" if column in ("section", "metric") else "right")
    for row in rows:
        table.add_row(row.section, row.metric, _fmt(row.reference), _fmt(row.system),
                      "-" if row.difference is None else f"{row.difference:+.3f}")
    console.print(table)
