"""Tokens, sentences and clauses of a turn's text, robust to unpunctuated lowercase ASR output.

Sentences end at ``. ? ! ;``; clauses also end at ``, : --``, before the lexicon's
boundary words ("okay", "anyway") and after its introductory phrases ("when you get a
chance"), which ASR text keeps when it drops punctuation.
Every token keeps its character span in the original text so a hit can be quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.directives.lexicon import Lexicon

_TOKEN = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?|[.?!;:,]|—|–|--")
_SENTENCE_END = frozenset(".?!;")
_CLAUSE_END = frozenset({",", ":", "—", "–", "--"})


@dataclass(frozen=True, slots=True)
class Token:
    """A normalised token (``norm``) with its span in the original text."""

    norm: str
    start: int
    end: int
    capital: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause's tokens and the tokens of its sentence before it."""

    tokens: tuple[Token, ...]
    before: tuple[Token, ...]
    previous: tuple[Token, ...] = ()  # the clause before it in the same sentence


def split_clauses(text: str, lexicon: Lexicon) -> list[Clause]:
    """Split ``text`` into clauses of normalised tokens (fillers dropped)."""
    clauses: list[Clause] = []
    sentence: list[list[Token]] = [[]]
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw in _SENTENCE_END:
            _close_sentence(sentence, clauses, lexicon)
            sentence = [[]]
            continue
        if raw in _CLAUSE_END:
            sentence.append([])
            continue
        for token in _normalise(raw, match.start(), match.end(), lexicon):
            if token.norm in lexicon.sets["fillers"]:
                continue
            if token.norm in lexicon.sets["boundaries"] and sentence[-1]:
                sentence.append([])
            sentence[-1].append(token)
    _close_sentence(sentence, clauses, lexicon)
    return clauses


def _split_openers(part: list[Token], lexicon: Lexicon) -> list[list[Token]]:
    """Split "when you get a chance send it" after its introductory phrase."""
    starts = (0, 1) if len(part) > 1 and part[0].norm in lexicon.sets["markers"] else (0,)
    for start in starts:
        for phrase in lexicon.openers.get(part[start].norm, ()) if part else ():
            end = start + len(phrase)
            if end < len(part) and all(part[start + i].norm == word for i, word in enumerate(phrase)):
                return [part[:end], part[end:]]
    return [part]


def _close_sentence(parts: list[list[Token]], out: list[Clause], lexicon: Lexicon) -> None:
    before: list[Token] = []
    previous: tuple[Token, ...] = ()
    for part in (piece for whole in parts for piece in _split_openers(whole, lexicon)):
        if part:
            out.append(Clause(tuple(part), tuple(before), previous))
            before.extend(part)
            previous = tuple(part)


def _normalise(raw: str, start: int, end: int, lexicon: Lexicon) -> list[Token]:
    low = raw.lower().replace("’", "'")
    capital = raw[:1].isupper()
    if low in lexicon.normalize:
        return [Token(word, start, end, capital) for word in lexicon.normalize[low]]
    if "'" in low and low not in lexicon.keep:
        for suffix, replacement in lexicon.suffixes.items():
            if low.endswith(suffix) and len(low) > len(suffix):
                stem = low[: -len(suffix)]
                stem_tokens = lexicon.normalize.get(stem, (stem,))
                return [*(Token(w, start, end - len(suffix), capital) for w in stem_tokens),
                        Token(replacement, end - len(suffix), end)]
    return [Token(low, start, end, capital)]
