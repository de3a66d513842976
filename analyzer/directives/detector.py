"""Find directives in text and in turns, with the rule that fired and the quoted clause.

For each clause: skip discourse markers, try the lexicon's start-anchored patterns,
then the verb-first imperative rule (with noun, question and formula guards), also
after a vocative ("sam, send it"); then scan the clause for anywhere-patterns
("we should", "can you ...") unless a conditional, an inversion or reported speech
blocks them. Pure Python, no models.
"""

from __future__ import annotations

import bisect

from dataclasses import dataclass
from typing import Sequence

from analyzer.core.schema import DirectiveHit, SpeakerWord, Turn
from analyzer.directives.lexicon import Lexicon, load_lexicon
from analyzer.directives.patterns import Pattern, match_at
from analyzer.directives.text import Clause, Token, split_clauses

MAX_QUOTE_CHARS = 120
REPORTING_WINDOW = 8
QUOTE_LEAD_TOKENS = 5


@dataclass(frozen=True, slots=True)
class Match:
    """A directive found in one text: category, rule id and the quoted clause's span."""

    category: str
    rule: str
    start: int
    end: int
    quote: str


def find_directives(turns: Sequence[Turn], language: str = "en",
                    words: Sequence[SpeakerWord] = ()) -> tuple[DirectiveHit, ...]:
    """Find the directives in each turn's text.

    Args:
        turns: the meeting's turns (speaker, start, end, text, word_count).
        language: lexicon code, e.g. ``"en"``.
        words: the attributed words the turns were built from, when known: a hit's time is
            then the start of the quoted clause's first word.

    Returns:
        One hit per directive clause, in turn order. ``time`` is the start of the quoted
        clause's first word, or without ``words`` an estimate: the turn start plus the turn
        duration times the share of the turn's words before the clause.

    Raises:
        ConfigError: no lexicon for ``language`` (the message lists the available ones).
    """
    detector = Detector(load_lexicon(language))
    word_starts = _word_starts_by_turn(turns, words)
    hits: list[DirectiveHit] = []
    for turn in turns:
        if not turn.text.strip():
            continue
        for match in detector.detect(turn.text):
            time = _clause_time(turn, match.start, word_starts.get(turn.index))
            hits.append(DirectiveHit(time=round(time, 3), speaker=turn.speaker,
                                     turn_index=turn.index, category=match.category, rule=match.rule,
                                     text=match.quote))
    return tuple(hits)


def detect_text(text: str, language: str = "en") -> tuple[Match, ...]:
    """Directives in one piece of text (for evaluation and quick checks)."""
    return Detector(load_lexicon(language)).detect(text)


def _clause_time(turn: Turn, char_start: int, starts: list[float] | None) -> float:
    words_before = len(turn.text[:char_start].split())
    if starts and words_before < len(starts):
        return starts[words_before]
    total = max(1, len(turn.text.split()))
    return turn.start + (turn.end - turn.start) * min(1.0, words_before / total)


def _word_starts_by_turn(turns: Sequence[Turn], words: Sequence[SpeakerWord]) -> dict[int, list[float]]:
    """Start time of each whitespace token of each turn's text, where the words line up with it."""
    if not words:
        return {}
    ordered = sorted((w for w in words if w.speaker is not None and w.word.text.strip()),
                     key=lambda w: w.word.start)
    times = [w.word.start for w in ordered]
    starts: dict[int, list[float]] = {}
    for turn in turns:
        window = ordered[bisect.bisect_left(times, turn.start): bisect.bisect_right(times, turn.end)]
        inside = [w for w in window if w.speaker == turn.speaker]
        tokens = [t for w in inside for t in w.word.text.split()]
        if len(tokens) == len(turn.text.split()):
            starts[turn.index] = [w.word.start for w in inside for _ in w.word.text.split()]
    return starts


class Detector:
    """The rule engine over one lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.sets = lexicon.sets
        self._any_generic, self._any_by_word = _index_by_first_word(lexicon.any_patterns)

    def detect(self, text: str) -> tuple[Match, ...]:
        found: list[Match] = []
        for clause in split_clauses(text, self.lex):
            hits = self._clause_hits(clause)
            for number, (category, rule, start) in enumerate(hits):
                stop = hits[number + 1][2] if number + 1 < len(hits) else len(clause.tokens)
                found.append(self._quote(text, clause, start, stop, category, rule))
        return tuple(found)

    # --- clause level -------------------------------------------------------------------------
    def _clause_hits(self, clause: Clause) -> list[tuple[str, str, int]]:
        """(category, rule, first token index) of each directive in the clause, in order."""
        tokens = clause.tokens
        first = self._skip_markers(tokens, 0)
        hits: list[tuple[str, str, int]] = []
        position = 0
        start_hit = self._start_hit(clause, first)
        if start_hit is not None:
            category, rule, begin, end = start_hit
            if not self._reported(clause, begin):
                hits.append((category, rule, begin))
            position = end
        while position < len(tokens):
            found = self._any_hit(clause, position)
            if found is None:
                position += 1
                continue
            category, rule, end = found
            hits.append((category, rule, position))
            position = end
        return hits

    def _skip_markers(self, tokens: Sequence[Token], index: int) -> int:
        while index < len(tokens) and tokens[index].norm in self.sets["markers"]:
            index += 1
        return index

    def _start_hit(self, clause: Clause, index: int) -> tuple[str, str, int, int] | None:
        """A directive that must begin the clause, possibly after a vocative ("sam, send it")."""
        tokens = clause.tokens
        if index >= len(tokens) or self._any_hit(clause, index) is not None:
            return None
        found = self._start_hit_here(tokens, index)
        if found is None and self._is_vocative(tokens, index):
            after = self._skip_markers(tokens, index + 1)
            if after < len(tokens) and self._any_hit(clause, after) is None:
                found = self._start_hit_here(tokens, after)
        return found

    def _start_hit_here(self, tokens: Sequence[Token], index: int) -> tuple[str, str, int, int] | None:
        formula_end = self._formula_end(tokens, index)
        for pattern in self.lex.start_patterns:
            end = match_at(pattern, tokens, index, self)
            if end is not None and end > formula_end:  # "go ahead and merge" beats "go ahead"
                return pattern.category, pattern.rule, index, end
        if formula_end > index:
            return None
        if self._verb_first(tokens, index):
            return "imperative", "imperative.verb_first", index, index + 1
        return None

    def _any_hit(self, clause: Clause, index: int) -> tuple[str, str, int] | None:
        tokens = clause.tokens
        if self._formula_end(tokens, index) > index:
            return None
        for pattern in self._any_by_word.get(tokens[index].norm, self._any_generic):
            end = match_at(pattern, tokens, index, self)
            if end is None:
                continue
            if self._guarded(clause, index) or self._reported(clause, index):
                return None
            return pattern.category, pattern.rule, end
        return None

    # --- guards ------------------------------------------------------------------------------
    def _guarded(self, clause: Clause, index: int) -> bool:
        """A conditional, a question inversion or a relative clause right before the pattern."""
        if index == 0:
            return False
        return clause.tokens[index - 1].norm in self.sets["guards_before"]

    def _reported(self, clause: Clause, index: int) -> bool:
        """Reported speech: a reporting verb shortly before, in the same sentence ("she said send it")."""
        preceding = (*clause.before, *clause.tokens[:index])[-REPORTING_WINDOW:]
        for i, token in enumerate(preceding):
            if token.norm in self.sets["reporting"]:
                own = i > 1 and preceding[i - 2].norm in self.sets["reporting_own"]
                if not own:
                    return True
        return False

    def _formula_end(self, tokens: Sequence[Token], index: int) -> int:
        """End of the longest formula ("thank you", "never mind") at ``index``; ``index`` when none."""
        end = index
        if index < len(tokens):
            for phrase in self.lex.formulas.get(tokens[index].norm, ()):
                if _phrase_matches(phrase, tokens, index):
                    end = max(end, index + len([w for w in phrase if w != "$"]))
        return end

    def _verb_first(self, tokens: Sequence[Token], index: int) -> bool:
        if index >= len(tokens) or tokens[index].norm not in self.lex.imperative_verbs:
            return False
        verb = tokens[index].norm
        following = tokens[index + 1].norm if index + 1 < len(tokens) else None
        imp = self.lex.imperative
        if following is None:
            return verb not in imp["bare_blocked"]
        if following in imp["noun_followers"] or (verb, following) in self.lex.noun_bigrams:
            return False
        if index + 2 < len(tokens) and tokens[index + 2].norm in imp["copulas"]:  # "test results are in"
            return False
        return not (verb in imp["aux_verbs"] and following in imp["question_subjects"])

    # --- word tests used by the pattern matcher ----------------------------------------------------
    def is_name(self, tokens: Sequence[Token], index: int) -> bool:
        token = tokens[index]
        word = token.norm
        if word == "you":
            return True
        if not word.replace("-", "").isalpha() or len(word) < 2:
            return False
        if word in self.sets["function_words"] or word in self.sets["weekdays"] or word in self.sets["name_stop"]:
            return False
        if token.capital and index > 0:
            return True
        if word in self.lex.imperative_verbs or word in self.sets["markers"] or word in self.sets["vocatives"]:
            return False
        return not word.endswith("s") or token.capital

    def is_verb(self, tokens: Sequence[Token], index: int, blocked: frozenset[str]) -> bool:
        word = tokens[index].norm
        following = tokens[index + 1].norm if index + 1 < len(tokens) else ""
        if word in self.sets["particle_verbs"] and following in self.sets["action_particles"]:
            return True  # "can you follow up", "could you read out"
        if word in blocked or not word[:1].isalpha():
            return False
        if word in self.sets["perfect_aux"] and following:  # "should have seen": a counterfactual
            return following not in self.sets["participles"] and not following.endswith(
                tuple(self.sets["participle_suffixes"]))
        return True

    def _is_vocative(self, tokens: Sequence[Token], index: int) -> bool:
        word = tokens[index].norm
        if word in self.sets["vocatives"]:
            return True
        if word == "you":  # "you take the budget" is a pattern of its own, not a vocative
            return False
        return self.is_name(tokens, index) and index + 1 < len(tokens)

    def _quote(self, text: str, clause: Clause, start: int, stop: int, category: str, rule: str) -> Match:
        """The clause from its first word (or the hit, when further in) up to the next hit."""
        tokens = clause.tokens
        lead = 0
        while lead < start and tokens[lead].norm in self.sets["connectives"]:
            lead += 1
        while stop - 1 > start and tokens[stop - 1].norm in self.sets["connectives"]:
            stop -= 1
        begin = tokens[lead].start if lead <= start <= lead + QUOTE_LEAD_TOKENS else tokens[start].start
        if start <= lead and len(clause.previous) == 1 and (clause.previous[0].norm in self.sets["vocatives"]
                                                          or self.is_name(clause.previous, 0)):
            begin = clause.previous[0].start  # "Priya, ping the vendor"
        end = tokens[stop - 1].end
        quote = text[begin:end]
        if len(quote) > MAX_QUOTE_CHARS:
            cut = text.rfind(" ", begin, begin + MAX_QUOTE_CHARS)
            quote = text[begin:cut if cut > begin else begin + MAX_QUOTE_CHARS].rstrip(" ,") + "…"
        return Match(category=category, rule=rule, start=begin, end=end, quote=quote)


def _phrase_matches(phrase: tuple[str, ...], tokens: Sequence[Token], index: int) -> bool:
    for offset, word in enumerate(phrase):
        position = index + offset
        if word == "$":
            return position == len(tokens)
        if position >= len(tokens) or tokens[position].norm != word:
            return False
    return True


def _index_by_first_word(patterns: Sequence[Pattern]) -> tuple[tuple[Pattern, ...], dict[str, tuple[Pattern, ...]]]:
    """Patterns that can start at any word, and per literal first word the patterns to try (in file order)."""
    generic = tuple(p for p in patterns if p.first_words is None)
    words = {word for p in patterns if p.first_words for word in p.first_words}
    by_word = {word: tuple(p for p in patterns if p.first_words is None or word in p.first_words) for word in words}
    return generic, by_word
