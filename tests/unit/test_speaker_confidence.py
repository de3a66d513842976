"""Per-speaker confidence: stored in result.json, and said in plain words next to the shares."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from analyzer.cli.commands.analyze import print_summary
from analyzer.core.config import AnalysisConfig
from analyzer.cli.console import console
from analyzer.metrics.confidence import count_note, speaker_doubts
from analyzer.pipeline.analysis import Analyzer
from analyzer.formats.report_html import to_html
from analyzer.core.schema import SpeakerConfidence
from analyzer.formats.serialize import result_from_dict, result_to_dict
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script

SCRIPT = [(0.0, 4.0, "we should start with the budget"), (4.5, 8.0, "I agree let us look at it"),
          (8.5, 12.0, "the numbers are in the sheet"), (12.5, 16.0, "thanks that helps a lot")]


@pytest.fixture
def result(tone_wav):
    segments = [seg(0.0, 4.0, "SPEAKER_00"), seg(4.5, 8.0, "SPEAKER_01"), seg(8.5, 12.0, "SPEAKER_02"),
                seg(12.5, 16.0, "SPEAKER_01")]
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words_from_script(SCRIPT)), FakeDiarizer(segments))
    return analyzer.analyze_file(tone_wav)


def _with(result, *confidence):
    return replace(result, diarization=replace(result.diarization, confidence=tuple(confidence)))


SURE = SpeakerConfidence("SPEAKER_00", 0.93, 40, "SPEAKER_01", 0.1, 0.71)
ALIKE_1 = SpeakerConfidence("SPEAKER_01", 0.41, 12, "SPEAKER_02", 0.72, 0.8, same_as="SPEAKER_02")
ALIKE_2 = SpeakerConfidence("SPEAKER_02", 0.38, 9, "SPEAKER_01", 0.72, 0.75, same_as="SPEAKER_01")
MERGED = SpeakerConfidence("SPEAKER_00", 0.8, 60, "SPEAKER_01", 0.1, 0.2, maybe_two=True)


def test_confidence_round_trips_through_result_json_and_old_results_still_load(result):
    doubtful = _with(result, SURE, ALIKE_1, ALIKE_2)
    data = json.loads(json.dumps(result_to_dict(doubtful)))
    assert data["diarization"]["confidence"][1]["same_as"] == "SPEAKER_02"
    assert result_from_dict(data).diarization.confidence == (SURE, ALIKE_1, ALIKE_2)
    del data["diarization"]["confidence"]  # a result.json written before confidence existed
    assert result_from_dict(data).diarization.confidence == ()


def test_doubts_name_the_people_in_plain_words(result):
    assert speaker_doubts(_with(result, SURE)) == {} and count_note(_with(result, SURE)) is None
    named = replace(_with(result, SURE, ALIKE_1, ALIKE_2), speaker_names={"SPEAKER_01": "Ben", "SPEAKER_02": "Cleo"})
    doubts = speaker_doubts(named)
    assert set(doubts) == {"SPEAKER_01", "SPEAKER_02"}
    assert "Ben and Cleo sound very alike and may be the same person" in doubts["SPEAKER_01"]
    assert "fewer people" in count_note(named)
    merged = speaker_doubts(_with(result, MERGED))
    assert "may be two people" in merged["SPEAKER_00"] and "more people" in count_note(_with(result, MERGED))


def test_cli_summary_and_html_report_warn_next_to_the_shares(result):
    doubtful = _with(result, SURE, ALIKE_1, ALIKE_2)
    with console.capture() as captured:
        print_summary(doubtful)
    text = captured.get()
    assert "distinct" in text and "93%" in text
    assert "speaker count is uncertain" in text and "may be the same person" in text
    html = to_html(doubtful)
    share = html.index("<h2>Share of speech</h2>")
    warning = html.index('class="warning"')
    assert share < warning < html.index("<svg", share)  # the warning sits right above the share chart
    assert "Distinct person" in html
    with console.capture() as captured:
        print_summary(_with(result, SURE))
    assert "uncertain" not in captured.get()
    assert 'class="warning"' not in to_html(result)  # no confidence measured (e.g. an RTTM): no claim
