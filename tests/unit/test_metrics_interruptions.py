"""One hand-built scenario per interruption definition (docs/metrics.md, "Interruptions")."""

from __future__ import annotations

from tests.unit.test_metrics_builders import meeting, stats

A_UNFINISHED = "so I think we should move the whole launch to the end of"
A_FINISHED = "so I think we should move the whole launch to next month."
B_LONG = "no wait we cannot do that because of the budget"


def test_b_starting_at_9_6_while_a_stops_at_10_is_one_successful_interruption_by_b_on_a():
    m = meeting([(0, 10, "A", A_UNFINISHED), (9.6, 12.6, "B", B_LONG)])
    [hit] = m.interruptions
    assert (hit.interrupter, hit.interrupted, hit.type) == ("B", "A", "successful")
    assert abs(hit.time - 9.6) < 1e-9 and abs(hit.overlap - 0.4) < 1e-9
    assert stats(m, "B").interruptions_made.successful == 1
    assert stats(m, "A").interruptions_received.successful == 1
    assert m.interruption_matrix["B"] == {"A": 1}


def test_yeah_at_5_s_is_a_backchannel_not_an_interruption():
    m = meeting([(0, 10, "A", A_FINISHED), (5.0, 5.4, "B", "yeah")])
    assert m.interruptions == ()
    assert stats(m, "B").backchannels == 1
    assert stats(m, "A").backchannels == 0


def test_backchannel_words_longer_than_a_second_are_still_a_backchannel():
    m = meeting([(0, 10, "A", A_FINISHED), (4.0, 5.5, "B", "yeah yeah right")])
    assert m.interruptions == ()
    assert stats(m, "B").backchannels == 1


def test_b_stopping_first_while_a_goes_on_is_unsuccessful():
    m = meeting([(0, 10, "A", A_FINISHED), (4.0, 6.5, "B", "wait I have a question about that")])
    [hit] = m.interruptions
    assert (hit.interrupter, hit.interrupted, hit.type) == ("B", "A", "unsuccessful")
    assert abs(hit.overlap - 2.5) < 1e-9


def test_b_in_a_finished_sentences_last_half_second_is_cooperative_and_left_out_of_the_matrix():
    m = meeting([(0, 10, "A", A_FINISHED), (9.6, 12.6, "B", B_LONG)])
    [hit] = m.interruptions
    assert hit.type == "cooperative"
    assert m.interruption_matrix.get("B", {}) == {}
    assert stats(m, "B").interruptions_made.cooperative == 1


def test_without_words_the_last_half_second_rule_alone_makes_a_terminal_overlap_cooperative():
    m = meeting([(0, 10, "A", ""), (9.6, 12.6, "B", "")])
    assert [h.type for h in m.interruptions] == ["cooperative"]


def test_without_words_an_earlier_overlap_where_a_yields_is_successful():
    m = meeting([(0, 10, "A", ""), (8.0, 12.6, "B", "")])
    assert [(h.interrupter, h.type, round(h.overlap, 3)) for h in m.interruptions] == [("B", "successful", 2.0)]


def test_overlap_below_0_2_s_is_not_an_interruption():
    m = meeting([(0, 10, "A", A_FINISHED), (9.9, 13, "B", B_LONG)])
    assert m.interruptions == ()


def test_overlap_threshold_comes_from_the_config():
    m = meeting([(0, 10, "A", ""), (9.9, 13, "B", "")], min_interruption_overlap_s=0.05,
                cooperative_window_s=0.0)
    assert [h.type for h in m.interruptions] == ["successful"]


def test_no_overlap_unfinished_sentence_and_quick_start_is_a_silent_interruption():
    m = meeting([(0, 5, "A", "and then we should probably ask the"), (5.2, 8, "B", "let me stop you there please")])
    [hit] = m.interruptions
    assert (hit.interrupter, hit.interrupted, hit.type, hit.overlap) == ("B", "A", "silent", 0.0)
    assert m.interruption_matrix["B"] == {"A": 1}


def test_no_silent_interruption_after_a_finished_sentence_or_a_long_gap():
    finished = meeting([(0, 5, "A", "and that is all I wanted to say."), (5.2, 8, "B", "let me add one thing")])
    late = meeting([(0, 5, "A", "and then we should probably ask the"), (5.6, 8, "B", "let me add one thing")])
    assert finished.interruptions == () and late.interruptions == ()


def test_the_floor_holder_is_the_speaker_who_started_most_recently():
    m = meeting([(0, 20, "A", ""), (5, 15, "C", ""), (12, 18, "B", "")])
    b_hits = [h for h in m.interruptions if h.interrupter == "B"]
    assert [(h.interrupted, h.type) for h in b_hits] == [("C", "successful")]


def test_made_and_received_are_counted_per_type_for_everyone():
    m = meeting([(0, 10, "A", ""), (4, 6, "B", ""), (20, 30, "B", ""), (25, 35, "A", "")])
    assert stats(m, "B").interruptions_made.as_dict() == {"successful": 0, "unsuccessful": 1, "cooperative": 0, "silent": 0}
    assert stats(m, "A").interruptions_made.as_dict() == {"successful": 1, "unsuccessful": 0, "cooperative": 0, "silent": 0}
    assert m.interruption_matrix == {"A": {"B": 1}, "B": {"A": 1}}
