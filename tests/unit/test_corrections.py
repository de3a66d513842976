"""Merge, split and re-assign corrections recompute every number: the metrics of a corrected session
equal the metrics computed directly from the corrected RTTM with the same words."""

from __future__ import annotations

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.corrections import merge_speakers, reassign_turn, split_speaker
from analyzer.core.errors import InputFormatError
from analyzer.pipeline.sources import metrics_from_segments
from analyzer.pipeline.analysis import Analyzer
from analyzer.formats.rttm import exclusive_from_overlapping, read_rttm
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav

# Ana (SPEAKER_00) was split by the diarizer into SPEAKER_00 and SPEAKER_02; Ben is SPEAKER_01.
SCRIPT = [
    (0.0, 9.0, "SPEAKER_00", "welcome everyone we will look at the budget and you need to send the numbers"),
    (9.3, 14.0, "SPEAKER_01", "can I ask a question about the travel line"),
    (13.6, 20.0, "SPEAKER_02", "yes please go ahead and tell us what you found in march"),
    (20.4, 26.0, "SPEAKER_01", "it doubled since march and nobody told me why"),
    (26.3, 40.0, "SPEAKER_02", "let's check it together after the meeting and then decide what to do next week"),
    (40.5, 44.0, "SPEAKER_01", "ok thank you"),
]


def analyse(tmp_path, script=SCRIPT):
    segments = [seg(s, e, who) for s, e, who, _ in script]
    words = words_from_script([(s, e, text) for s, e, _, text in script])
    diarizer = FakeDiarizer(segments, list(exclusive_from_overlapping(segments)))
    diarizer.result = type(diarizer.result)(diarizer.result.segments, diarizer.result.exclusive,
                                            diarizer.result.speakers,
                                            {"SPEAKER_00": (1.0, 0.0), "SPEAKER_02": (0.0, 1.0),
                                             "SPEAKER_01": (0.5, 0.5)})
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words), diarizer)
    return analyzer.analyze_file(write_tone_wav(tmp_path / "m.wav", 45.0)), words


def from_rttm(tmp_path, text: str, words, duration: float):
    path = tmp_path / "corrected.rttm"
    path.write_text(text)
    (segments,) = read_rttm(path).values()
    metrics, turns, *_ = metrics_from_segments(segments, AnalysisConfig(), words=words, duration=duration)
    return metrics, turns


def rttm(rows) -> str:
    return "".join(f"SPEAKER m 1 {s:.3f} {e - s:.3f} <NA> <NA> {who} <NA> <NA>\n" for s, e, who in rows)


def test_merge_recomputes_every_metric_as_from_the_corrected_rttm(tmp_path):
    result, words = analyse(tmp_path)
    merged = merge_speakers(result, "SPEAKER_00", "SPEAKER_02")
    expected, turns = from_rttm(tmp_path, rttm([(s, e, "SPEAKER_00" if who == "SPEAKER_02" else who)
                                                 for s, e, who, _ in SCRIPT]), words, result.recording.duration)
    assert merged.metrics == expected
    assert merged.turns == turns
    assert merged.diarization.speakers == ("SPEAKER_00", "SPEAKER_01")
    assert {s.speaker for s in merged.metrics.speakers} == {"SPEAKER_00", "SPEAKER_01"}
    assert merged.metrics.verdict != result.metrics.verdict or merged.metrics.group != result.metrics.group
    ana = next(s for s in merged.metrics.speakers if s.speaker == "SPEAKER_00")
    before = {s.speaker: s.speaking_time for s in result.metrics.speakers}
    assert ana.speaking_time == pytest.approx(before["SPEAKER_00"] + before["SPEAKER_02"], abs=0.01)
    assert set(merged.diarization.embeddings) == {"SPEAKER_00", "SPEAKER_01"}
    assert all(w.speaker != "SPEAKER_02" for w in merged.words)


def test_split_and_reassign_recompute_as_from_the_corrected_rttm(tmp_path):
    result, words = analyse(tmp_path)
    split, target = split_speaker(result, "SPEAKER_02", 26.0, 40.0, "SPEAKER_00")
    assert target == "SPEAKER_00"
    rows = [(s, e, "SPEAKER_00" if (who, s) == ("SPEAKER_02", 26.3) else who) for s, e, who, _ in SCRIPT]
    expected, _ = from_rttm(tmp_path, rttm(rows), words, result.recording.duration)
    assert split.metrics == expected

    new, target = split_speaker(result, "SPEAKER_00", 4.0, 9.0)  # the second half was someone unknown
    assert target == "SPEAKER_03"
    rows = [(0.0, 4.0, "SPEAKER_00"), (4.0, 9.0, "SPEAKER_03")] + [(s, e, who) for s, e, who, _ in SCRIPT[1:]]
    expected, _ = from_rttm(tmp_path, rttm(rows), words, result.recording.duration)
    assert new.metrics == expected and "SPEAKER_03" in new.diarization.speakers

    last = result.turns[-1]
    moved, target = reassign_turn(result, last.index, "SPEAKER_02")
    rows = [(s, e, who) for s, e, who, _ in SCRIPT[:-1]] + [(40.5, 44.0, "SPEAKER_02")]
    expected, _ = from_rttm(tmp_path, rttm(rows), words, result.recording.duration)
    assert moved.metrics == expected and moved.turns[-1].speaker == "SPEAKER_02"


def test_corrections_refuse_unknown_labels_and_empty_ranges(tmp_path):
    result, _ = analyse(tmp_path)
    with pytest.raises(InputFormatError, match="no speaker 'SPEAKER_09'"):
        merge_speakers(result, "SPEAKER_00", "SPEAKER_09")
    with pytest.raises(InputFormatError, match="with itself"):
        merge_speakers(result, "SPEAKER_00", "SPEAKER_00")
    with pytest.raises(InputFormatError, match="does not speak between"):
        split_speaker(result, "SPEAKER_00", 20.0, 30.0)
    with pytest.raises(InputFormatError, match="there is no turn 99"):
        reassign_turn(result, 99, "SPEAKER_00")
