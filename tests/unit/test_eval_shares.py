"""Per-person share error on hand-made cases."""

from __future__ import annotations

import pytest

from analyzer.evaluation.shares import share_error, shares_from_segments
from tests.conftest import seg


def test_shares_count_overlap_once_for_the_latest_starter():
    shares = shares_from_segments([seg(0, 6, "A"), seg(4, 8, "B")])  # B takes 4-8 s
    assert shares == pytest.approx({"A": 0.5, "B": 0.5})


def test_mapped_people_are_compared_in_points():
    error = share_error({"A": 0.5, "B": 0.3, "C": 0.2}, {"s1": 0.45, "s2": 0.35, "s3": 0.2},
                        {"s1": "A", "s2": "B", "s3": "C"})
    assert error.per_person == pytest.approx({"A": 5.0, "B": 5.0, "C": 0.0})
    assert error.mean_pp == pytest.approx(10 / 3) and error.max_pp == pytest.approx(5.0)


def test_a_split_person_adds_up_and_a_missed_person_counts_fully():
    error = share_error({"A": 0.6, "B": 0.4}, {"s1": 0.3, "s2": 0.3, "s3": 0.4}, {"s1": "A", "s3": "B"})
    # s2 is unmapped: A gets only s1's 30 %, and "+s2" is an extra person with 30 %
    assert error.per_person == pytest.approx({"A": 30.0, "B": 0.0, "+s2": 30.0})
    missed = share_error({"A": 0.7, "B": 0.3}, {"s1": 1.0}, {"s1": "A"})
    assert missed.per_person == pytest.approx({"A": 30.0, "B": 30.0})
    assert missed.max_pp == pytest.approx(30.0)


def test_no_people_no_error():
    assert share_error({}, {}, {}).mean_pp == 0.0
