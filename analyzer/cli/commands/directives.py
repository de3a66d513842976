"""``floorshare eval-directives [FILE] [--json]``: score the directive detector on a labelled set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from analyzer.cli.commands.stored import fail
from analyzer.cli.console import console
from analyzer.core.errors import AnalyzerError, InputFormatError

if TYPE_CHECKING:
    from analyzer.directives.evaluation import EvaluationReport


def register(app: typer.Typer) -> None:
    app.command("eval-directives")(eval_directives)


def eval_directives(
    file: Path = typer.Argument(None, help="UTF-8 TSV of text<TAB>category lines (category 'none' for "
                                           "non-directives; '#' lines are comments). Default: the shipped set."),
    as_json: bool = typer.Option(False, "--json", help="Print precision, recall, F1 and per-category scores "
                                                       "as JSON."),
    language: str = typer.Option("en", "--language", "-l", help="Lexicon to use (e.g. en)."),
) -> None:
    """Score the directive detector: precision, recall, F1 (directive vs none and per category).

    Overall, any label other than 'none' counts as a directive, so sets labelled with other
    category names still score. Prints the misclassified lines and the detector's speed.
    """
    from analyzer.directives import load_lexicon
    from analyzer.directives.evaluation import default_set_path, evaluate, read_labelled

    try:
        load_lexicon(language)
        path = file or default_set_path(language)
        if file is None and not path.is_file():
            raise InputFormatError(f"no evaluation set shipped for language {language!r} ({path}); "
                                   f"pass FILE, a UTF-8 TSV of text<TAB>category lines")
        report = evaluate(read_labelled(path), language=language)
    except AnalyzerError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print_report(path, report)


def _print_report(path: Path, report: EvaluationReport) -> None:
    console.print(f"set: {path} ({report.lines} lines, {report.words} words)", highlight=False)
    table = Table(title="directive detection")
    for column in ("category", "precision", "recall", "F1", "labelled", "predicted"):
        table.add_column(column, justify="left" if column == "category" else "right")
    overall = report.overall
    table.add_row("[bold]directive vs none[/bold]", f"{overall.precision:.3f}", f"{overall.recall:.3f}",
                  f"{overall.f1:.3f}", str(overall.support), str(overall.predicted))
    for name, score in report.per_category.items():
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
                      str(score.support), str(score.predicted))
    console.print(table)
    console.print(f"misclassified lines: {len(report.misclassified)}", highlight=False)
    for item in report.misclassified:
        console.print(f"  line {item.line.line_no}: labelled {item.line.category}, detected {item.category}"
                      f" ({item.rule or 'no rule fired'}): {item.line.text}", highlight=False, markup=False,
                      soft_wrap=True)
    console.print(f"speed: {report.ms_per_1000_words:.1f} ms per 1,000 words (best of several passes, "
                  f"this machine)", highlight=False)
