"""DER and JER agree with the upstream scorers on their own fixtures (tests/data/rttm, see NOTICE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.core.errors import InputFormatError
from analyzer.evaluation.scoring import DiarizationScorer, optimal_mapping, read_uem
from analyzer.formats.rttm import read_rttm
from tests.conftest import seg

DATA = Path(__file__).resolve().parents[1] / "data" / "rttm"


def file1():
    return read_rttm(DATA / "dscore-FILE1.ref.rttm")["FILE1"], read_rttm(DATA / "dscore-FILE1.sys.rttm")["FILE1"]


def test_dscore_file1_der_and_jer_match_upstream():
    # dscore's test scores FILE1 without its UEM, i.e. over the extent of all turns (0 to 41.046 s).
    ref, sys = file1()
    score = DiarizationScorer().score(ref, sys, uem=[(0.0, 41.046)], uri="FILE1")
    assert score.der * 100 == pytest.approx(26.39309, abs=0.0005)
    # dscore scores JER on 10 ms frames, pyannote.metrics in continuous time: 33.217 vs 33.246 %.
    assert score.jer * 100 == pytest.approx(33.24631, abs=0.05)
    assert score.missed + score.false_alarm + score.confusion == pytest.approx(score.der * score.total)


def test_dscore_file1_with_its_uem_scores_only_the_listed_regions():
    ref, sys = file1()
    uem = read_uem(DATA / "dscore-FILE1.uem", "FILE1")
    assert uem == ((0.0, 15.0), (25.0, 30.4))
    score = DiarizationScorer().score(ref, sys, uem=uem, uri="FILE1")
    assert score.der * 100 == pytest.approx(9.667, abs=0.001)
    assert score.total == pytest.approx(9.985 + 3.804)  # reference speech inside the two regions, by hand


def test_collar_is_a_quarter_second_on_each_side_as_md_eval():
    # speechbrain's test: ES2014c DER 7.169 % with md-eval -c 0.25 and overlap ignored.
    ref = read_rttm(DATA / "ES2014c.ref.rttm")["ES2014c"]
    sys = read_rttm(DATA / "ES2014c.sys.rttm")["ES2014c"]
    end = max(s.end for s in (*ref, *sys))
    score = DiarizationScorer(ignore_overlap=True).score(ref, sys, uem=[(0.0, end)], uri="ES2014c")
    assert score.der_collar * 100 == pytest.approx(7.169, abs=0.001)


def test_perfect_and_relabelled_output_scores_zero_and_overall_accumulates():
    scorer = DiarizationScorer()
    ref = [seg(0, 5, "A"), seg(5, 10, "B")]
    assert scorer.score(ref, [seg(0, 5, "x"), seg(5, 10, "y")], [(0, 10)]).der == 0
    missed_half = scorer.score(ref, [seg(0, 5, "x")], [(0, 10)], uri="two")
    assert missed_half.der == pytest.approx(0.5) and missed_half.missed == pytest.approx(5)
    assert scorer.overall()["der"] == pytest.approx(5 / 20)


def test_optimal_mapping_pairs_the_most_overlapping_labels():
    ref = [seg(0, 6, "A"), seg(6, 10, "B")]
    sys = [seg(0, 5, "s1"), seg(5, 10, "s2"), seg(9, 10, "s3")]
    assert optimal_mapping(ref, sys) == {"s1": "A", "s2": "B"}


def test_uem_without_the_recording_names_the_fix(tmp_path):
    uem = tmp_path / "x.uem"
    uem.write_text("OTHER 1 0 10\n")
    with pytest.raises(InputFormatError, match="no region for recording 'FILE1'"):
        read_uem(uem, "FILE1")
    uem.write_text("FILE1 1 zero 10\n")
    with pytest.raises(InputFormatError, match=r"x.uem:1:"):
        read_uem(uem, "FILE1")
