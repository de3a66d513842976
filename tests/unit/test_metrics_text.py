"""Text heuristics: questions without '?', backchannel words, finished sentences."""

import pytest

from analyzer.metrics.text import count_questions, ends_sentence, is_backchannel_text, is_question


@pytest.mark.parametrize("text", ["What do you think", "why is it late", "so how can we fix this",
                                  "Do you agree", "okay is it ready", "What's the plan", "how about Monday",
                                  "We agree?", "Can we start"])
def test_questions(text):
    assert is_question(text)


@pytest.mark.parametrize("text", ["What we need is time.", "How we do it is up to you", "I think so",
                                  "Do it now", "You can go", "yes", ""])
def test_not_questions(text):
    assert not is_question(text)


def test_count_questions_splits_sentences():
    assert count_questions("Right. What do you think? Is it ready. We ship.") == 2


@pytest.mark.parametrize("text,expected", [("yeah", True), ("Mm-hmm.", True), ("yeah right okay", True),
                                           ("yeah yeah yeah yeah", False), ("yeah but no", False), ("", False)])
def test_backchannel_text(text, expected):
    assert is_backchannel_text(text, 3) is expected


def test_ends_sentence():
    assert ends_sentence("We are done.") and ends_sentence('He said "go!"') and not ends_sentence("and then")
