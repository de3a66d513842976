"""WER and the reference transcript readers (STM, plain text, TTS file lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.core.errors import InputFormatError
from analyzer.evaluation.wer import normalise, word_errors
from analyzer.formats.references import read_stm, read_text_transcript, read_transcript

SAMPLE_STM = Path(__file__).resolve().parents[2] / "samples" / "pyannote-sample" / "sample.stm"


def test_normalisation_ignores_case_and_punctuation():
    assert normalise("Oh, hello. I didn't know -- re-read it!") == ["oh", "hello", "i", "didn't", "know", "re",
                                                                   "read", "it"]


def test_word_errors_count_each_operation():
    errors = word_errors("the cat sat on the mat", "the cat sat on mat today")
    assert (errors.substitutions, errors.deletions, errors.insertions) == (0, 1, 1)
    assert errors.wer == pytest.approx(2 / 6)
    assert word_errors("a b c", "a x c").substitutions == 1
    assert word_errors("Hello, world.", "hello world").wer == 0.0
    assert word_errors("", "").wer == 0.0 and word_errors("", "extra").wer == 1.0
    assert (word_errors("a b", "a") + word_errors("c", "d")).wer == pytest.approx(2 / 3)


def test_stm_reader_keeps_speakers_and_times():
    ref = read_stm(SAMPLE_STM)
    assert len(ref.segments) == 13
    assert ref.segments[0].speaker == "Diane" and ref.segments[0].start == pytest.approx(6.68)
    assert ref.text.startswith("Hello? Hello? Oh, hello.")


def test_stm_skips_comments_labels_and_ignored_segments(tmp_path):
    stm = tmp_path / "x.stm"
    stm.write_text(";; comment\nrec 1 A 0.0 1.0 <o,f0,male> hello there\n"
                   "rec 1 B 1.0 2.0 ignore_time_segment_in_scoring\nother 1 C 0 1 not me\n")
    assert read_stm(stm, uri="rec").text == "hello there"
    stm.write_text("rec 1 A 0.0 one text\n")
    with pytest.raises(InputFormatError, match=r"x.stm:1: start"):
        read_stm(stm)


def test_text_reader_handles_comments_file_lists_and_selection(tmp_path):
    text = tmp_path / "ref.txt"
    text.write_text("# a comment\nDUMMY/LJ1-1.wav|First line.\nDUMMY/LJ2-1.wav|Second one.\n")
    assert read_text_transcript(text).text == "First line. Second one."
    assert read_transcript(text, select="LJ2-").text == "Second one."
    with pytest.raises(InputFormatError, match="no 'id|text' line has an id containing 'LJ9'"):
        read_text_transcript(text, select="LJ9")
    with pytest.raises(InputFormatError, match="not found"):
        read_transcript(tmp_path / "missing.stm")
