"""Pinned numbers of real AMI meetings, the CLI and the result.json round trip.

EN2002a (35 min, 4 people) and ES2014c (reference vs one system) are the worked
examples of docs/metrics.md; if a definition changes on purpose, update both.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli.app import build_app
from analyzer.core.config import AnalysisConfig
from analyzer.metrics.compare import compare_metrics, map_speakers
from analyzer.pipeline.sources import (
    diarization_from_segments, load_rttm_segments, metrics_from_segments, read_words,
)
from analyzer.core.schema import ModelRef, Provenance, Recording, SessionResult, Transcript
from analyzer.formats.serialize import result_from_dict, result_to_dict

DATA = Path(__file__).resolve().parent.parent / "data" / "rttm-ami"
EN2002A_UEM_END = 2142.709375
runner = CliRunner()


@pytest.fixture(scope="module")
def en2002a():
    _, segments = load_rttm_segments(DATA / "EN2002a.rttm")
    return metrics_from_segments(segments, AnalysisConfig(), duration=EN2002A_UEM_END)[0]


def test_en2002a_session_and_group_numbers(en2002a):
    m, g = en2002a, en2002a.group
    assert (round(m.duration, 3), round(m.total_speech, 2), round(m.overlap_time, 2)) == (2142.709, 1894.9, 519.58)
    assert round(m.silence_time, 2) == 247.81
    assert (round(g.gini, 4), round(g.entropy_norm, 4), round(g.effective_speakers, 3)) == (0.1562, 0.967, 3.821)
    assert (round(g.inverse_simpson, 3), round(g.largest_share, 4)) == (3.640, 0.3831)
    assert (round(g.speaker_changes_per_minute, 2), round(g.turn_taking_index, 4)) == (10.75, 0.7442)
    assert (g.hub, round(g.hub_share, 4), round(g.reciprocity, 4), round(g.centralization, 4)) == (
        "FEO072", 0.6094, 0.8646, 0.0729)
    assert m.verdict.label == "many_to_many"


def test_en2002a_per_person_numbers(en2002a):
    rows = {s.speaker: (round(s.speaking_time, 2), round(s.share, 4), s.turns, round(s.longest_turn, 2),
                        s.backchannels, s.interruptions_made.total, s.interruptions_received.total)
            for s in en2002a.speakers}
    assert rows == {
        "FEO072": (725.85, 0.3831, 128, 34.37, 63, 75, 67),
        "MEE073": (428.93, 0.2264, 107, 26.45, 93, 79, 76),
        "FEO070": (398.89, 0.2105, 72, 19.37, 105, 45, 57),
        "MEE071": (341.23, 0.1801, 102, 16.09, 44, 63, 62),
    }
    assert [s.speaker for s in en2002a.speakers] == ["FEO072", "MEE073", "FEO070", "MEE071"]


def test_en2002a_interruptions_and_timeline(en2002a):
    assert Counter(i.type for i in en2002a.interruptions) == {"successful": 126, "unsuccessful": 102,
                                                              "cooperative": 34}
    assert Counter(w.label for w in en2002a.timeline) == {"many_to_many": 56, "dialogue": 10, "monologue": 2}


def test_es2014c_reference_vs_system():
    _, ref = load_rttm_segments(DATA / "ES2014c.ref.rttm")
    _, sys = load_rttm_segments(DATA / "ES2014c.sys.rttm")
    end = max(s.end for s in (*ref, *sys))
    config = AnalysisConfig()
    ref_m, sys_m = (metrics_from_segments(s, config, duration=end)[0] for s in (ref, sys))
    mapping = map_speakers(ref, sys)
    assert mapping == {"ES2014c.A_PM": "ES2014c_spkr_0", "ES2014c.B_ID": "ES2014c_spkr_6",
                       "ES2014c.C_UI": "ES2014c_spkr_8", "ES2014c.D_ME": "ES2014c_spkr_9"}
    rows = {(r.section, r.metric): r for r in compare_metrics(ref_m, sys_m, mapping)}
    assert round(rows[("group", "gini")].difference, 3) == 0.301
    assert round(rows[("group", "largest_share")].difference, 3) == -0.021
    assert rows[("session", "verdict")].reference == rows[("session", "verdict")].system == "many_to_many"
    assert rows[("session", "speakers")].difference == 3
    assert rows[("interruptions", "successful")].system == 0  # the system output has no overlap


def test_cli_json_has_the_result_json_metric_keys():
    out = runner.invoke(build_app(), ["metrics", "--rttm", str(DATA / "EN2002a.rttm"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {"summary", "speakers", "group", "verdict", "timeline", "interruptions", "interruption_matrix",
            "transitions"} <= set(data)
    assert data["verdict"]["label"] == "many_to_many"
    assert set(data["interruptions"][0]) == {"time", "interrupter", "interrupted", "type", "overlap_s"}
    assert {"gini", "entropy_norm", "effective_speakers", "largest_share", "hub_share", "reciprocity"} <= set(
        data["group"])


def test_cli_table_and_silent_attendees():
    out = runner.invoke(build_app(), ["metrics", "--rttm", str(DATA / "EN2002a.rttm"), "--attendees", "6"],
                        env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "verdict: many to many" in out.stdout
    assert "2 of 6 attendees did not speak (SILENT_01, SILENT_02)." in out.stdout


def test_cli_compare_prints_both_values_and_the_difference():
    out = runner.invoke(build_app(), ["metrics", "--rttm", str(DATA / "ES2014c.ref.rttm"), "--compare",
                                      str(DATA / "ES2014c.sys.rttm"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    gini = next(r for r in data["differences"] if r["metric"] == "gini")
    assert gini["difference"] == pytest.approx(gini["system"] - gini["reference"], abs=1e-3)
    assert data["mapping"]["ES2014c.A_PM"] == "ES2014c_spkr_0"


def test_cli_malformed_rttm_is_one_line_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.rttm"
    bad.write_text("SPEAKER m 1 0 1 <NA> <NA> A <NA> <NA>\nSPEAKER m 1 x 1 <NA> <NA> A <NA> <NA>\n")
    out = runner.invoke(build_app(), ["metrics", "--rttm", str(bad)])
    assert out.exit_code == 1
    assert f"{bad}:2:" in out.output and "Traceback" not in out.output


def test_words_from_stm_are_attributed_by_the_rttm(tmp_path):
    stm = tmp_path / "m.stm"
    stm.write_text("m 1 Diane 0.0 4.0 What do you think about it\nm 1 Sheila 4.5 6.0 I like it.\n")
    words = read_words(stm)
    assert [w.text for w in words][:2] == ["What", "do"] and words[0].start == 0.0
    json_words = tmp_path / "w.json"
    json_words.write_text(json.dumps([{"start": 0.0, "end": 0.5, "text": "hi"}]))
    assert read_words(json_words)[0].text == "hi"


def test_bad_words_file_is_a_typed_error(tmp_path):
    from analyzer.core.errors import InputFormatError

    bad = tmp_path / "w.json"
    bad.write_text('[{"start": "x"}]')
    with pytest.raises(InputFormatError, match="word 1 needs numeric"):
        read_words(bad)


def test_result_json_round_trip_keeps_the_metrics():
    _, segments = load_rttm_segments(DATA / "ES2014c.ref.rttm")
    metrics, turns, _, _ = metrics_from_segments(segments[:60], AnalysisConfig(), duration=400.0)
    result = SessionResult(
        recording=Recording("x.wav", "0" * 64, 400.0, 16000, 1), config=AnalysisConfig().to_dict(),
        provenance=Provenance("0", (ModelRef("m", "r", "s", "0" * 64),), "cpu", "2026-01-01T00:00:00+00:00"),
        transcript=Transcript("en", 1.0, ()), diarization=diarization_from_segments(segments[:60]), words=(),
        turns=turns, metrics=metrics)
    data = json.loads(json.dumps(result_to_dict(result)))
    again = result_to_dict(result_from_dict(data))
    assert again == data
    assert result_from_dict(data).metrics.group.hub == metrics.group.hub


def test_cli_with_words_counts_words_and_questions(tmp_path):
    pytest.importorskip("analyzer.directives")
    rttm = tmp_path / "m.rttm"
    rttm.write_text("SPEAKER m 1 0.0 4.0 <NA> <NA> A <NA> <NA>\nSPEAKER m 1 4.5 1.5 <NA> <NA> B <NA> <NA>\n")
    stm = tmp_path / "m.stm"
    stm.write_text("m 1 Diane 0.0 4.0 What do you think about it\nm 1 Sheila 4.5 6.0 I like it.\n")
    out = runner.invoke(build_app(), ["metrics", "--rttm", str(rttm), "--words", str(stm), "--json"])
    assert out.exit_code == 0, out.output
    rows = {s["label"]: s for s in json.loads(out.stdout)["speakers"]}
    assert (rows["A"]["words"], rows["A"]["questions"], rows["B"]["words"]) == (6, 1, 3)


def test_analyze_pipeline_fills_the_metrics(tmp_path):
    pytest.importorskip("analyzer.directives")
    from analyzer.pipeline.analysis import Analyzer
    from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav

    wav = write_tone_wav(tmp_path / "m.wav", 12.0)
    words = words_from_script([(0.2, 5.0, "So what do you think we should do"), (5.5, 11.0, "Send the report today.")])
    segments = [seg(0.0, 5.2, "SPEAKER_00"), seg(5.4, 11.5, "SPEAKER_01")]
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer(segments))
    result = analyzer.analyze_file(wav)
    m = result.metrics
    assert [s.speaker for s in m.speakers] == ["SPEAKER_01", "SPEAKER_00"]
    assert next(s for s in m.speakers if s.speaker == "SPEAKER_00").questions == 1
    assert m.verdict.label == "many_to_many" and m.timeline
