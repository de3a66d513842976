"""The spelling rule that counts syllables in reference texts (to check the syllable estimate)."""

from __future__ import annotations

import pytest

from analyzer.evaluation.syllables import number_words, text_syllables, text_words, word_syllables


@pytest.mark.parametrize("word, syllables", [
    ("make", 1), ("the", 1), ("be", 1), ("table", 2), ("tables", 2), ("people", 2), ("while", 1),
    ("seemed", 1), ("plowed", 1), ("wanted", 2), ("needed", 2), ("freed", 1), ("sacred", 2),
    ("themselves", 2), ("times", 1), ("places", 2), ("ages", 2), ("churches", 2), ("goes", 1),
    ("constitution", 4), ("american", 4), ("driver's", 2), ("nineteen", 2), ("ninety", 2), ("hundred", 2),
    ("w", 3), ("b", 1),
])
def test_words(word, syllables):
    assert word_syllables(word) == syllables


def test_numbers_are_read_as_words():
    assert number_words(1961) == "nineteen sixty one"
    assert number_words(3800) == "three thousand eight hundred"
    assert number_words(2005) == "two thousand five" and number_words(1905) == "nineteen oh five"
    assert text_syllables("in 1961") == 1 + 2 + 2 + 1


def test_a_reference_sentence():
    text = "And so my fellow Americans, ask not what your country can do for you."
    # and so my fel-low a-mer-i-cans ask not what your coun-try can do for you
    assert text_syllables(text) == 1 + 1 + 1 + 2 + 4 + 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1
    assert text_words(text) == 14 and text_words("B.C., 1961") == 5
