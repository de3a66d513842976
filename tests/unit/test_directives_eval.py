"""The shipped directive evaluation set: its make-up, the detector's threshold on it, the reader and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analyzer.cli.app import COMMAND_MODULES
from analyzer.cli.commands import directives as directives_command
from analyzer.core.errors import InputFormatError
from analyzer.directives import CATEGORIES
from analyzer.directives.evaluation import LabelledLine, default_set_path, evaluate, read_labelled

PRECISION_TARGET = 0.85
RECALL_TARGET = 0.75


def cli() -> typer.Typer:
    """Only this command, so the test does not depend on the other command modules."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Group mode."""

    directives_command.register(app)
    return app


def test_command_is_registered() -> None:
    assert "analyzer.cli.commands.directives" in COMMAND_MODULES


@pytest.fixture(scope="module")
def shipped() -> list[LabelledLine]:
    return read_labelled(default_set_path("en"))


def test_shipped_set_has_the_promised_make_up(shipped: list[LabelledLine]) -> None:
    assert len(shipped) >= 300
    assert sum(line.category == "none" for line in shipped) >= 100
    assert {line.category for line in shipped} == {*CATEGORIES, "none"}
    asr_like = [line for line in shipped if line.text == line.text.lower() and not re.search(r"[.,?!;:']", line.text)]
    assert len(asr_like) >= len(shipped) / 3
    assert len({line.text for line in shipped}) == len(shipped), "duplicate lines"


def test_detector_meets_the_threshold_on_the_shipped_set(shipped: list[LabelledLine]) -> None:
    report = evaluate(shipped)
    assert report.overall.precision >= PRECISION_TARGET, report.to_dict()
    assert report.overall.recall >= RECALL_TARGET, report.to_dict()


def test_detector_meets_the_threshold_on_the_held_out_set() -> None:
    report = evaluate(read_labelled(default_set_path("en").with_name("heldout_en.tsv")))
    assert report.overall.precision >= PRECISION_TARGET, report.to_dict()
    assert report.overall.recall >= RECALL_TARGET, report.to_dict()


def test_scores_are_computed_directive_vs_none_and_per_category(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    path.write_text("# comment\nsend me the file\timperative\n"
                    "can you hear me\tnone\n"
                    "we should go\tobligation\n"  # right as a directive, wrong category
                    "i need to leave\tcommand\n"  # a foreign label: a missed directive
                    "\n", encoding="utf-8")
    report = evaluate(read_labelled(path))
    assert (report.overall.precision, report.overall.recall) == (1.0, pytest.approx(2 / 3))
    assert report.per_category["imperative"].f1 == 1.0
    assert report.per_category["obligation"].recall == 0.0 and report.per_category["inclusive"].predicted == 1
    assert report.per_category["command"].support == 1
    assert [(m.line.line_no, m.category) for m in report.misclassified] == [(4, "inclusive"), (5, "none")]


@pytest.mark.parametrize("content,problem", [
    (b"no tab here\n", "expected text<TAB>category"),
    (b"\tnone\n", "expected text<TAB>category"),
    (b"# only a comment\n", "no labelled lines"),
    (b"caf\xe9\tnone\n", "not UTF-8"),
])
def test_reader_rejects_bad_files_with_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match=re.escape(problem)) as info:
        read_labelled(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_cli_json_prints_the_scores() -> None:
    result = CliRunner().invoke(cli(), ["eval-directives", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"precision", "recall", "f1", "per_category"} <= set(data)
    assert set(data["per_category"]) == set(CATEGORIES)
    assert data["precision"] >= PRECISION_TARGET


def test_cli_prints_table_misclassified_lines_and_speed(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    path.write_text("send me the file\tnone\nyeah\tnone\n", encoding="utf-8")
    result = CliRunner().invoke(cli(), ["eval-directives", str(path)])
    assert result.exit_code == 0, result.output
    assert "directive vs none" in result.output
    assert "line 1: labelled none, detected imperative (imperative.verb_first): send me the file" in result.output
    assert "ms per 1,000 words" in result.output


def test_cli_errors_exit_nonzero_with_a_message(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli(), ["eval-directives", str(tmp_path / "nope.tsv")])
    assert missing.exit_code == 1 and "file not found" in missing.output
    language = CliRunner().invoke(cli(), ["eval-directives", "--language", "xx"])
    assert language.exit_code == 2 and "available: en" in language.output
