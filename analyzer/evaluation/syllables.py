"""Syllables of an English reference text, by a simple spelling rule (to check the syllable estimate).

The prosody stage estimates syllables from the signal (:func:`analyzer.metrics.voice.count_syllables`,
after de Jong & Wempe 2009); this module counts them in a reference transcript, so the estimate can be
measured on real speech (docs/metrics.md, "How good is the syllable estimate"). The rule, per word:

- each group of consecutive vowels (a e i o u y) is one syllable;
- a final silent ``e`` is not (``make``), but a consonant + ``le`` is (``table``, ``tables``);
- ``-ed`` is silent except after ``t`` or ``d`` (``plowed`` 1, ``wanted`` 2), and ``-es`` is silent
  except after ``s x z ch sh g c`` (``themselves`` 2, ``places`` 2);
- every word has at least one syllable; a lone letter (``B.C.``) is its name (``w`` is 3);
- digits are read as English numbers (``1961``: nineteen sixty one), and number words, where the rule
  slips (``nineteen``, ``ninety``, ``hundred``), have their syllables from a table.

It is wrong on some words (``Babylonia`` counts 4 for 5, ``being`` 1 for 2); on the reference texts
used here it counts 99.4-99.5 % of the CMU Pronouncing Dictionary's syllables (docs/metrics.md).
"""

from __future__ import annotations

import re

VOWELS = "aeiouy"
_GROUP = re.compile(r"[aeiouy]+")
_TOKEN = re.compile(r"[a-z']+|\d+")
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_SYLLABLES = {**{w: 1 for w in "one two three four five six eight nine ten twelve oh".split()},
                    **{w: 2 for w in "zero seven thirteen fourteen fifteen sixteen eighteen nineteen twenty thirty "
                                     "forty fifty sixty eighty ninety hundred thousand million".split()},
                    "eleven": 3, "seventeen": 3, "seventy": 3}


def number_words(n: int) -> str:
    """``n`` (0 <= n < 10**9) as English words; 1100-1999 and 2010-2099 read as years ("nineteen sixty one")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if 1100 <= n < 2000 or 2010 <= n < 2100:
        high, low = divmod(n, 100)
        return number_words(high) + (" hundred" if low == 0 else " " + ("oh " if low < 10 else "") + number_words(low))
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            high, low = divmod(n, size)
            return number_words(high) + " " + name + ("" if low == 0 else " " + number_words(low))
    raise ValueError(n)  # pragma: no cover - unreachable


def word_syllables(word: str) -> int:
    """Syllables of one lower-case word by the rule above (0 for a word with no letters)."""
    w = word.replace("'", "")
    if not w:
        return 0
    if len(w) == 1:
        return 3 if w == "w" else 1
    if w in NUMBER_SYLLABLES:
        return NUMBER_SYLLABLES[w]
    count = len(_GROUP.findall(w))
    consonant_le = len(w) >= 3 and w[-3] not in VOWELS
    if w.endswith("e") and not (w.endswith("le") and consonant_le) and w[-2] not in VOWELS:
        count -= 1  # silent final e
    elif (w.endswith("ed") and len(w) > 3 and w[-3] not in "td" and w[-3] not in VOWELS
          and not (w.endswith("red") and w[-4] not in VOWELS)):  # not sacred, kindred
        count -= 1  # plowed, seemed
    elif (w.endswith("es") and len(w) > 3 and w[-3] not in VOWELS and w[-3] not in "sxzgc"
          and not w.endswith(("ches", "shes")) and not (w[-3] == "l" and w[-4] not in VOWELS)):
        count -= 1  # themselves, times
    return max(1, count)


def text_syllables(text: str) -> int:
    """Syllables of a whole reference text (words, lone letters and numbers)."""
    total = 0
    for token in _TOKEN.findall(text.lower()):
        if token.isdigit():
            total += sum(word_syllables(w) for w in number_words(int(token)).split())
        else:
            total += word_syllables(token)
    return total


def text_words(text: str) -> int:
    """Words of a reference text as a reader says them (numbers spelled out; ``B.C.`` is two)."""
    count = 0
    for token in _TOKEN.findall(text.lower()):
        count += len(number_words(int(token)).split()) if token.isdigit() else (1 if token.strip("'") else 0)
    return count
