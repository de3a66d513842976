"""floorshare eval end to end with fakes: a perfect system scores zero error on a composed meeting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.compose import compose_meeting, load_scenario
from analyzer.core.config import AnalysisConfig
from analyzer.core.schema import SpeakerSegment
from analyzer.evaluation.manifest import load_manifest
from analyzer.evaluation.runner import evaluate_manifest, file_score_dict
from analyzer.formats.rttm import exclusive_from_overlapping
from analyzer.pipeline.analysis import Analyzer
from tests.conftest import FakeDiarizer, FakeTranscriber, words_from_script

SCENARIO = """
[meeting]
name = "tiny"
verdict = "many_to_many"
seed = 5
[people.ana]
voice = "3080"
[people.ben]
voice = "1688"
[people.cleo]
silent = true
[[turns]]
who = "ana"
seconds = 8
[[turns]]
who = "ben"
kind = "successful"
seconds = 7
[[turns]]
who = "ana"
seconds = 6
"""


@pytest.fixture
def setup(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(SCENARIO)
    manifest = tmp_path / "m.toml"
    manifest.write_text('name = "fake"\n[[recording]]\nscenario = "tiny.toml"\n')
    meeting = compose_meeting(load_scenario(scenario))
    relabel = {"ana": "SPEAKER_00", "ben": "SPEAKER_01"}
    segments = [SpeakerSegment(s.start, s.end, relabel[s.speaker]) for s in meeting.segments]
    words = words_from_script([(s.start, s.end, "so we should look at this") for s in meeting.segments
                               if s.speaker == "ana"] + [(s.start, s.end, "no I think") for s in meeting.segments
                                                          if s.speaker == "ben"])
    words = tuple(sorted(words, key=lambda w: w.start))
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words),
                        FakeDiarizer(segments, list(exclusive_from_overlapping(segments))))
    return manifest, analyzer, meeting


def test_a_perfect_diarization_scores_zero(setup, tmp_path):
    manifest, analyzer, meeting = setup
    scores, summary = evaluate_manifest(load_manifest(manifest), analyzer, AnalysisConfig(), tmp_path / "work")
    score = scores[0]
    assert (tmp_path / "work" / "tiny.wav").exists()
    assert score.der == pytest.approx(0.0, abs=1e-9) and score.jer == pytest.approx(0.0, abs=1e-9)
    assert score.speaker_count_error == 0 and score.share_max_pp == pytest.approx(0.0, abs=1e-6)
    assert score.verdict_expected == "many_to_many"
    assert score.interruptions["any"].reference == len(meeting.interruptions) == 1
    assert score.interruptions["successful"].recall == 1.0
    assert ("successful" in {kind for _, kind in score.system_interruptions})
    assert summary["der"] == pytest.approx(0.0, abs=1e-9) and summary["speaker_count_mae"] == 0
    json.dumps(file_score_dict(score))  # JSON-ready


def test_eval_command_prints_the_summary_and_writes_json(setup, tmp_path, monkeypatch):
    manifest, analyzer, _ = setup
    import analyzer.pipeline.analysis as pipeline
    from analyzer.cli.app import build_app

    monkeypatch.setattr(pipeline, "build_analyzer", lambda config=None: analyzer)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(build_app(), ["eval", str(manifest), "--json", str(out),
                                              "--work", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    assert "DER (no collar, overlap scored)" in result.output and "0.0 %" in result.output
    report = json.loads(out.read_text())
    assert report["files"][0]["id"] == "tiny" and report["overall"]["files"] == 1


def test_eval_command_reports_a_bad_manifest_on_one_line(tmp_path):
    from analyzer.cli.app import build_app

    bad = tmp_path / "bad.toml"
    bad.write_text('[[recording]]\naudio = "nowhere.wav"\n')
    result = CliRunner().invoke(build_app(), ["eval", str(bad)])
    assert result.exit_code == 1
    assert "nowhere.wav not found" in result.output and "Traceback" not in result.output


def test_compose_command_writes_the_three_files(tmp_path):
    from analyzer.cli.app import build_app

    scenario = tmp_path / "tiny.toml"
    scenario.write_text(SCENARIO)
    result = CliRunner().invoke(build_app(), ["compose", str(scenario), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["tiny.events.json", "tiny.rttm", "tiny.wav"]
    missing = CliRunner().invoke(build_app(), ["compose", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1 and "scenario file not found" in missing.output
