"""Speaker-change recall/precision and missed speech per person (evaluation, pure)."""

from analyzer.evaluation.people import change_counts, change_points, missed_per_person
from tests.conftest import seg


def test_changes_are_between_different_speakers_at_the_middle_of_the_pause():
    segments = [seg(0, 2, "A"), seg(2.4, 3, "A"), seg(4, 5, "B"), seg(5, 6, "A"), seg(8, 9, "C")]
    assert change_points(segments) == [3.5, 5.0, 7.0]


def test_a_quick_exchange_missed_as_one_turn_loses_its_changes():
    reference = [seg(0, 2, "A"), seg(2.1, 3, "B"), seg(3.1, 4, "A"), seg(4.1, 5, "B")]
    merged = [seg(0, 5, "X")]
    counts = change_counts(reference, merged)
    assert (counts.matched, counts.reference, counts.system) == (0, 3, 0)
    found = [seg(0, 2.1, "X"), seg(2.1, 3.0, "Y"), seg(3.0, 4.2, "X"), seg(4.2, 5, "Y")]
    counts = change_counts(reference, found)
    assert (counts.matched, counts.reference, counts.system) == (3, 3, 3)
    assert counts.recall == 1.0 and counts.precision == 1.0


def test_missed_speech_counts_confusion_and_missed_detection_per_person_quietest_first():
    reference = [seg(0, 10, "A"), seg(10, 12, "B"), seg(12, 20, "C")]
    system = [seg(0, 11, "s1"), seg(12, 16, "s2"), seg(16, 20, "s3")]
    people = missed_per_person(reference, system, {"s1": "A", "s2": "C", "s3": "C"})
    assert [p.person for p in people] == ["B", "C", "A"]
    assert people[0].missed == 1.0  # B's speech went to A's speaker
    assert people[1].missed == 0.0  # C split in two: nothing lost
    assert people[2].missed == 0.0


def test_sweep_grid_is_every_combination_of_typed_values():
    from analyzer.evaluation.sweep import _grid

    grid = _grid(["clustering_threshold=0.6,0.7", "min_cluster_size=4,12", "clustering_method=spectral"])
    assert len(grid) == 4 and {g["min_cluster_size"] for g in grid} == {4, 12}
    assert all(isinstance(g["clustering_threshold"], float) and g["clustering_method"] == "spectral" for g in grid)
    import pytest

    with pytest.raises(SystemExit, match="unknown"):
        _grid(["threshold=0.5"])
