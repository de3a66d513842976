"""Group indices and the turn-transition graph on hand-built inputs (docs/metrics.md, "Group")."""

from __future__ import annotations

import math

import pytest

from analyzer.metrics.group import balance, gini, graph_indices, transition_matrix, turn_taking_index
from analyzer.metrics.turns import FloorTurn
from tests.unit.test_metrics_builders import meeting


def floor(*speakers: str) -> list[FloorTurn]:
    return [FloorTurn(s, 10.0 * i, 10.0 * i + 8, "", 0) for i, s in enumerate(speakers)]


def test_gini_equal_is_zero_and_one_speaker_of_four_is_three_quarters():
    assert gini([5, 5, 5, 5]) == 0
    assert gini([10, 0, 0, 0]) == pytest.approx(0.75)
    assert gini([1, 2, 3]) == pytest.approx(sum(abs(a - b) for a in (1, 2, 3) for b in (1, 2, 3)) / (2 * 9 * 2))


def test_entropy_effective_speakers_and_inverse_simpson():
    even = balance({"A": 1, "B": 1, "C": 1, "D": 1})
    assert even["entropy_norm"] == pytest.approx(1) and even["effective_speakers"] == pytest.approx(4)
    assert even["inverse_simpson"] == pytest.approx(4) and even["largest_share"] == pytest.approx(0.25)
    skew = balance({"A": 3, "B": 1})
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert skew["entropy_norm"] == pytest.approx(h / math.log(2))
    assert skew["effective_speakers"] == pytest.approx(math.exp(h))
    assert skew["inverse_simpson"] == pytest.approx(1 / (0.75 ** 2 + 0.25 ** 2))


def test_a_silent_attendee_counts_in_the_group_indices():
    script = [(0, 10, "A", ""), (11, 21, "B", "")]
    without = meeting(script)
    with_silent = meeting(script, attendees=("A", "B", "C"))
    assert without.group.gini == 0 and with_silent.group.gini == pytest.approx(1 / 3)
    assert with_silent.group.entropy_norm == pytest.approx(math.log(2) / math.log(3))
    assert with_silent.group.effective_speakers == pytest.approx(2)


def test_transition_matrix_counts_floor_changes_only():
    assert transition_matrix(floor("A", "B", "B", "A", "C")) == {"A": {"B": 1, "C": 1}, "B": {"A": 1}}


def test_hub_and_spoke_graph():
    matrix = transition_matrix(floor("A", "B", "A", "C", "A", "D"))
    g = graph_indices(matrix, ["A", "B", "C", "D"])
    assert g["hub"] == "A" and g["hub_share"] == 1 and g["spoke_to_spoke_share"] == 0
    assert g["reciprocity"] == pytest.approx(4 / 5)
    # in-strength A 2, B 1, C 1, D 1: sum (2 - s) = 3 over (n - 1) * 5
    assert g["centralization"] == pytest.approx(3 / (3 * 5))


def test_round_robin_graph_has_no_reciprocity_and_a_low_hub_share():
    g = graph_indices(transition_matrix(floor(*"ABCDABCDA")), ["A", "B", "C", "D"])
    assert g["reciprocity"] == 0 and g["hub_share"] == pytest.approx(4 / 8)


def test_no_transitions_gives_zero_graph_indices():
    g = graph_indices({}, ["A"])
    assert g == {"hub": None, "hub_share": 0.0, "spoke_to_spoke_share": 0.0, "reciprocity": 0.0,
                 "centralization": 0.0}


def test_turn_taking_index():
    assert turn_taking_index(["A", "B", "A", "B"]) == 1
    assert turn_taking_index(["A", "A", "A"]) == 0
    assert turn_taking_index(["A", "A", "B"]) == pytest.approx(0.5)
    assert turn_taking_index(["A"]) == 0


def test_speaker_changes_per_minute_and_transitions_in_the_metrics():
    m = meeting([(0, 10, "A", ""), (11, 20, "B", ""), (21, 30, "A", ""), (31, 60, "C", "")], duration=60)
    assert m.group.speaker_changes_per_minute == pytest.approx(3)
    assert m.transitions == {"A": {"B": 1, "C": 1}, "B": {"A": 1}}
    assert m.group.hub == "A" and m.group.hub_share == 1


def test_backchannels_do_not_count_as_floor_changes():
    m = meeting([(0, 30, "A", ""), (12, 12.5, "B", ""), (31, 40, "B", "")], duration=40)
    assert m.transitions == {"A": {"B": 1}}
