"""Per-person definitions, one hand-built scenario each (docs/metrics.md, "Per person")."""

from __future__ import annotations

import pytest

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import DirectiveExample, DirectiveHit, Diarization
from analyzer.metrics import compute_metrics
from tests.unit.test_metrics_builders import meeting, stats


def sentence(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n)) + "."


def test_speaking_time_is_exclusive_and_overlap_is_reported_separately():
    m = meeting([(0, 10, "A", ""), (8, 12, "B", "")], duration=20)
    a, b = stats(m, "A"), stats(m, "B")
    assert (a.speaking_time, b.speaking_time) == (pytest.approx(8), pytest.approx(4))
    assert (a.overlap_time, b.overlap_time) == (pytest.approx(2), pytest.approx(2))
    assert m.overlap_time == pytest.approx(2) and m.total_speech == pytest.approx(12)
    assert m.silence_time == pytest.approx(8)


def test_share_of_speech_and_share_of_meeting_are_both_given():
    m = meeting([(0, 10, "A", ""), (8, 12, "B", "")], duration=20)
    a = stats(m, "A")
    assert a.share == pytest.approx(8 / 12) and a.meeting_share == pytest.approx(8 / 20)


def test_turn_counts_and_lengths_come_from_floor_turns():
    m = meeting([(0, 4, "A", ""), (5, 7, "B", ""), (8, 18, "A", ""), (19, 21, "B", "")])
    a = stats(m, "A")
    assert (a.turns, a.mean_turn, a.median_turn, a.longest_turn) == (2, 7.0, 7.0, 10.0)


def test_a_monologue_tolerates_a_backchannel():
    m = meeting([(0, 40, "A", sentence(100)), (40.2, 40.6, "B", "mhm"), (40.8, 70, "A", sentence(70))], duration=100)
    a = stats(m, "A")
    assert (a.monologues, a.turns, a.longest_turn) == (1, 1, pytest.approx(70, abs=1))
    assert a.monologue_time == pytest.approx(a.longest_turn)
    assert a.monologue_share == pytest.approx(a.monologue_time / 100)
    assert stats(m, "B").backchannels == 1 and stats(m, "B").turns == 0


def test_a_real_contribution_ends_the_monologue():
    m = meeting([(0, 40, "A", sentence(100)), (40.2, 43, "B", "I disagree with that plan"),
                 (43.2, 70, "A", sentence(70))])
    a = stats(m, "A")
    assert (a.monologues, a.turns) == (0, 2)


def test_monologue_threshold_comes_from_the_config():
    m = meeting([(0, 40, "A", "")], monologue_min_s=30)
    assert stats(m, "A").monologues == 1


def test_words_and_words_per_minute():
    m = meeting([(0, 60, "A", sentence(120))])
    a = stats(m, "A")
    assert a.words == 120 and a.words_per_minute == pytest.approx(120)


def test_questions_count_question_marks_and_question_openers():
    m = meeting([(0, 10, "A", "What do you think about the budget. We need time. Is it ready?"),
                 (11, 20, "B", "What we need is time. How we do it is up to you. Ok fine.")])
    assert stats(m, "A").questions == 2 and stats(m, "B").questions == 0


def test_median_response_latency_is_the_gap_before_taking_the_floor_overlap_negative():
    m = meeting([(0, 5, "A", ""), (5.5, 10, "B", ""), (9.5, 15, "A", ""), (16, 20, "B", "")])
    assert stats(m, "A").median_response_latency == pytest.approx(-0.5)
    assert stats(m, "B").median_response_latency == pytest.approx((0.5 + 1.0) / 2)


def test_a_butting_in_turn_has_minus_its_overlap_as_latency():
    m = meeting([(0, 20, "A", ""), (5, 8, "B", "")])
    assert stats(m, "B").median_response_latency == pytest.approx(-3)


def test_nobody_answered_means_no_latency():
    assert stats(meeting([(0, 5, "A", "")]), "A").median_response_latency is None


def test_directives_are_summarised_per_speaker():
    hits = [DirectiveHit(1.0, "A", 0, "imperative", "r1", "send it"),
            DirectiveHit(2.0, "A", 0, "obligation", "r2", "you must"),
            DirectiveHit(3.0, "A", 0, "imperative", "r1", "fix it"),
            DirectiveHit(12.0, "B", 1, "inclusive", "r3", "let's go")]
    m = meeting([(0, 6, "A", sentence(20)), (10, 13, "B", sentence(10))], directives=hits)
    a = stats(m, "A").directives
    assert a.total == 3 and a.by_category == {"imperative": 2, "obligation": 1}
    assert a.per_100_words == pytest.approx(15.0) and a.per_minute == pytest.approx(30.0)
    assert a.share == pytest.approx(0.75)
    assert a.examples[0] == DirectiveExample(time=1.0, category="imperative", text="send it")
    assert stats(m, "B").directives.by_category == {"inclusive": 1}


def test_directive_examples_stop_at_five():
    hits = [DirectiveHit(float(i), "A", 0, "imperative", "r", f"do {i}") for i in range(8)]
    m = meeting([(0, 10, "A", sentence(30))], directives=hits)
    assert len(stats(m, "A").directives.examples) == 5


def test_silent_attendees_named_in_the_config_get_zero_rows():
    m = meeting([(0, 10, "A", ""), (11, 15, "B", "")], attendees=("A", "B", "Cleo"))
    cleo = stats(m, "Cleo")
    assert cleo.silent_attendee and cleo.speaking_time == 0 and cleo.share == 0
    assert not stats(m, "A").silent_attendee
    assert cleo.directives.total == 0 and cleo.interruptions_made.successful == 0


def test_an_attendee_count_adds_generic_silent_rows():
    m = meeting([(0, 10, "A", ""), (11, 15, "B", "")],
                attendees=("attendee_1", "attendee_2", "attendee_3", "attendee_4"))
    assert [s.speaker for s in m.speakers if s.silent_attendee] == ["SILENT_01", "SILENT_02"]


def test_no_speech_gives_zero_rows_and_the_no_speech_verdict():
    m = compute_metrics(diarization=Diarization((), (), ()), turns=(), words=(), directives=(), duration=30.0,
                        config=MetricsConfig(attendees=("Ana", "Ben")))
    assert m.verdict.label == "no_speech" and "No speech was found" in m.verdict.reasons[0]
    assert [s.speaker for s in m.speakers] == ["Ana", "Ben"]
    assert m.group.gini == 0 and m.silence_time == 30.0
    assert {w.label for w in m.timeline} == {"silence"}


def test_speakers_are_listed_by_speaking_time():
    m = meeting([(0, 3, "A", ""), (4, 14, "B", "")])
    assert [s.speaker for s in m.speakers] == ["B", "A"]
