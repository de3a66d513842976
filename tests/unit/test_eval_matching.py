"""Interruption matching: one-to-one within 0.5 s, per type."""

from __future__ import annotations

import pytest

from analyzer.core.schema import Interruption
from analyzer.evaluation.matching import Counts, match_interruptions, match_times


def interruption(time: float, kind: str) -> Interruption:
    return Interruption(time=time, interrupter="B", interrupted="A", type=kind, overlap=0.5)


def test_times_match_one_to_one_closest_first():
    assert match_times([10.0], [10.4, 10.1]) == 1
    assert match_times([10.0, 10.3], [10.2]) == 1
    assert match_times([10.0, 10.3], [10.2, 10.35]) == 2
    assert match_times([10.0], [10.5]) == 1  # the tolerance is inclusive
    assert match_times([10.0], [10.51]) == 0


def test_counts_per_type_and_any():
    reference = [interruption(5, "successful"), interruption(20, "unsuccessful"), interruption(40, "silent")]
    system = [interruption(5.3, "successful"), interruption(20.2, "successful"), interruption(60, "cooperative")]
    counts = match_interruptions(reference, system)
    assert counts["any"] == Counts(matched=2, reference=3, system=3)
    assert counts["successful"] == Counts(1, 1, 2)
    assert counts["successful"].precision == 0.5 and counts["successful"].recall == 1.0
    assert counts["successful"].f1 == pytest.approx(2 / 3)
    assert counts["unsuccessful"].recall == 0.0 and counts["unsuccessful"].precision is None
    assert counts["unsuccessful"].f1 is None
    assert counts["cooperative"].precision == 0.0 and counts["cooperative"].recall is None
    assert counts["silent"] == Counts(0, 1, 0)


def test_counts_add_up_across_files():
    assert Counts(1, 2, 3) + Counts(1, 1, 1) == Counts(2, 3, 4)
