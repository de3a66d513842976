"""RTTM reading (typed errors with file and line) and the exclusive track rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.core.errors import InputFormatError
from analyzer.formats.rttm import exclusive_from_overlapping, read_rttm
from analyzer.metrics.intervals import by_speaker, total, union
from tests.conftest import seg

DATA = Path(__file__).resolve().parent.parent / "data" / "rttm-ami"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.rttm"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_speaker_lines_grouped_by_uri_and_sorted(tmp_path):
    path = write(tmp_path, "SPKR-INFO m1 1 <NA> <NA> <NA> unknown A <NA>\n"
                           "# comment\n\n"
                           "SPEAKER m1 1 5.0 1.5 <NA> <NA> B <NA> <NA>\n"
                           "SPEAKER m1 1 0.5 2.0 <NA> <NA> A <NA> <NA>\n"
                           "SPEAKER m2 1 1.0 0.0 <NA> <NA> C <NA> <NA>\n"
                           "SPEAKER m2 1 1.0 1.0 <NA> <NA> C\n")
    found = read_rttm(path)
    assert found == {"m1": (seg(0.5, 2.5, "A"), seg(5.0, 6.5, "B")), "m2": (seg(1.0, 2.0, "C"),)}


@pytest.mark.parametrize("line,problem", [
    ("SPEAKER m 1 0.0 1.0 <NA> <NA>", "expected at least 8"),
    ("SPEAKER m 1 zero 1.0 <NA> <NA> A <NA> <NA>", "not a number"),
    ("SPEAKER m 1 0.0 -1 <NA> <NA> A <NA> <NA>", "not negative"),
    ("SPEAKER m 1 0.0 nan <NA> <NA> A <NA> <NA>", "finite"),
    ("SPEAKER m 1 0.0 1.0 <NA> <NA> <NA> <NA> <NA>", "speaker field"),
])
def test_malformed_lines_raise_with_file_and_line_number(tmp_path, line, problem):
    path = write(tmp_path, "SPEAKER m 1 0.0 1.0 <NA> <NA> A <NA> <NA>\n" + line + "\n")
    with pytest.raises(InputFormatError, match=problem) as info:
        read_rttm(path)
    assert str(info.value).startswith(f"{path}:2:")


def test_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(InputFormatError, match="not found"):
        read_rttm(tmp_path / "none.rttm")


def test_binary_file_is_a_typed_error(tmp_path):
    path = tmp_path / "bin.rttm"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputFormatError, match="cannot read"):
        read_rttm(path)


def test_the_amI_copies_read():
    en = read_rttm(DATA / "EN2002a.rttm")
    assert list(en) == ["EN2002a"] and len(en["EN2002a"]) == 746
    assert {s.speaker for s in read_rttm(DATA / "ES2014c.ref.rttm")["ES2014c"]} == {
        "ES2014c.A_PM", "ES2014c.B_ID", "ES2014c.C_UI", "ES2014c.D_ME"}


def test_overlap_goes_to_the_most_recent_starter_and_the_long_turn_resumes():
    out = exclusive_from_overlapping([seg(0, 10, "A"), seg(4, 5, "B")])
    assert out == (seg(0, 4, "A"), seg(4, 5, "B"), seg(5, 10, "A"))


def test_tail_overlap_goes_to_the_new_speaker():
    assert exclusive_from_overlapping([seg(0, 10, "A"), seg(9.6, 12.6, "B")]) == (seg(0, 9.6, "A"),
                                                                                  seg(9.6, 12.6, "B"))


def test_same_start_goes_to_the_alphabetically_first_and_silence_stays():
    out = exclusive_from_overlapping([seg(0, 2, "B"), seg(0, 1, "A"), seg(3, 4, "B")])
    assert out == (seg(0, 1, "A"), seg(1, 2, "B"), seg(3, 4, "B"))


def test_one_speakers_touching_segments_are_joined():
    assert exclusive_from_overlapping([seg(0, 1, "A"), seg(1, 2, "A")]) == (seg(0, 2, "A"),)


segments = st.lists(st.tuples(st.integers(0, 400), st.integers(1, 80), st.sampled_from("ABCD")),
                    max_size=25).map(lambda items: [seg(s / 8, (s + d) / 8, spk) for s, d, spk in items])


@settings(max_examples=150, deadline=None)
@given(segments)
def test_exclusive_track_never_overlaps_and_covers_exactly_the_speech(items):
    out = exclusive_from_overlapping(items)
    assert all(a.end <= b.start for a, b in zip(out, out[1:]))
    assert total(union((s.start, s.end) for s in out)) == pytest.approx(
        total(union((s.start, s.end) for s in items)))
    for speaker, spans in by_speaker(out).items():  # each piece lies inside that speaker's own speech
        own = by_speaker(items)[speaker]
        assert all(any(a <= s and e <= b for a, b in own) for s, e in spans)
