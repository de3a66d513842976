from analyzer.core.align import attribute_words, build_turns, unattributed_count
from analyzer.core.schema import Word
from tests.conftest import seg


def test_word_goes_to_speaker_covering_it_most():
    exclusive = [seg(0, 1.0, "A"), seg(1.0, 3.0, "B")]
    [w] = attribute_words([Word(0.8, 1.4, "hello")], exclusive)
    assert w.speaker == "B"
    assert abs(w.coverage - 0.4 / 0.6) < 1e-9


def test_word_on_exact_boundary_goes_to_the_segment_it_lies_in():
    exclusive = [seg(0, 1.0, "A"), seg(1.0, 2.0, "B")]
    [w] = attribute_words([Word(1.0, 1.5, "x")], exclusive)
    assert w.speaker == "B"


def test_word_in_short_gap_snaps_to_nearest_segment():
    exclusive = [seg(0, 1.0, "A"), seg(3.0, 4.0, "B")]
    [near_a, near_b] = attribute_words([Word(1.2, 1.4, "um"), Word(2.7, 2.9, "so")], exclusive, max_snap_s=0.5)
    assert (near_a.speaker, near_a.coverage) == ("A", 0.0)
    assert near_b.speaker == "B"


def test_word_far_from_any_segment_is_unattributed_not_guessed():
    words = attribute_words([Word(10.0, 10.5, "lost")], [seg(0, 1.0, "A")], max_snap_s=0.5)
    assert words[0].speaker is None
    assert unattributed_count(words) == 1


def test_no_segments_leaves_every_word_unattributed():
    words = attribute_words([Word(0, 0.5, "a"), Word(1, 1.5, "b")], [])
    assert [w.speaker for w in words] == [None, None]


def test_turns_split_on_speaker_change_and_long_pause():
    exclusive = [seg(0, 2.0, "A"), seg(2.0, 4.0, "B"), seg(6.0, 8.0, "B")]
    words = attribute_words([Word(0.1, 0.5, "hi"), Word(0.6, 1.0, "there"), Word(2.1, 2.5, "yes"),
                             Word(6.2, 6.6, "later")], exclusive)
    turns = build_turns(words, max_gap_s=1.0)
    assert [(t.speaker, t.text, t.word_count) for t in turns] == [
        ("A", "hi there", 2), ("B", "yes", 1), ("B", "later", 1)]
    assert [t.index for t in turns] == [0, 1, 2]
    assert turns[0].start == 0.1 and turns[0].end == 1.0


def test_unattributed_words_do_not_form_turns():
    words = attribute_words([Word(50, 51, "x")], [seg(0, 1, "A")])
    assert build_turns(words) == ()
