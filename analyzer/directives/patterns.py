"""The small token-pattern language of the lexicons, and its matcher.

A pattern is a space-separated list of slots (see the header of ``lexicons/en.toml``):
``word``, ``a|b``, ``?a|b`` (optional), ``@set``, ``*@set`` (zero or more),
``<verb>``, ``<name>``, ``<Name>`` (capitalised), ``<ing>`` (also inside ``a|<name>``), ``~N`` (up to N
any tokens) and ``$`` (end of the clause).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True, slots=True)
class Slot:
    """One position: literal words and/or word classes (``verb``, ``name``, ``ing``), or the clause end."""

    words: frozenset[str] = frozenset()
    classes: tuple[str, ...] = ()
    optional: bool = False
    repeat: bool = False
    end: bool = False
    gap: int = 0  # ~N: up to N arbitrary tokens


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled lexicon pattern: which rule fires, for which category, where it may start."""

    rule: str
    category: str
    anchor: str  # start | any
    slots: tuple[Slot, ...]
    blocked: frozenset[str]  # words a <verb> slot must not be
    first_words: frozenset[str] | None  # literal first words, for a quick pre-check (None: any word)


class WordTests(Protocol):
    """Language-specific tests on tokens, provided by the detector."""

    def is_name(self, tokens: Sequence, index: int) -> bool: ...

    def is_verb(self, tokens: Sequence, index: int, blocked: frozenset[str]) -> bool: ...


def compile_pattern(spec: dict, sets: dict[str, frozenset[str]]) -> Pattern:
    """Compile one ``[[patterns]]`` table of a lexicon.

    Raises:
        ValueError: a slot names an unknown set, or the anchor is not ``start``/``any``.
    """
    if spec.get("anchor", "any") not in ("start", "any"):
        raise ValueError(f"pattern {spec['id']!r}: anchor must be 'start' or 'any'")
    slots = tuple(_compile_slot(text, sets, spec["id"]) for text in spec["tokens"].split())
    blocked: set[str] = set(sets["function_words"]) | sets["adverbs"] | sets["vocatives"]
    for name in spec.get("blocked", []):
        if name not in sets:
            raise ValueError(f"pattern {spec['id']!r} blocks unknown set {name!r}")
        blocked |= sets[name]
    first = slots[0]
    literal = not (first.optional or first.classes or first.end or first.gap)
    first_words = first.words if literal else None
    return Pattern(rule=spec["id"], category=spec["category"], anchor=spec.get("anchor", "any"),
                   slots=slots, blocked=frozenset(blocked), first_words=first_words)


def _compile_slot(text: str, sets: dict[str, frozenset[str]], rule: str) -> Slot:
    optional = text.startswith("?")
    repeat = text.startswith("*")
    body = text.lstrip("?*")
    if body == "$":
        return Slot(end=True)
    if body.startswith("~"):
        return Slot(gap=int(body[1:]), optional=True)
    if body.startswith("@"):
        if body[1:] not in sets:
            raise ValueError(f"pattern {rule!r} uses unknown set {body!r}")
        return Slot(sets[body[1:]], optional=optional or repeat, repeat=repeat)
    words, classes = set(), []
    for part in body.split("|"):
        if part in ("<verb>", "<name>", "<Name>", "<ing>"):
            classes.append(part[1:-1])
        elif part.startswith("<"):
            raise ValueError(f"pattern {rule!r} uses unknown class {part!r}")
        else:
            words.add(part)
    return Slot(frozenset(words), tuple(classes), optional=optional)


def match_at(pattern: Pattern, tokens: Sequence, start: int, tests: WordTests) -> int | None:
    """Return the index just after the match of ``pattern`` at ``tokens[start]``, or None."""
    if pattern.first_words is not None and (start >= len(tokens) or tokens[start].norm not in pattern.first_words):
        return None
    return _match(pattern, 0, tokens, start, tests)


def _match(pattern: Pattern, slot_index: int, tokens: Sequence, pos: int, tests: WordTests) -> int | None:
    if slot_index == len(pattern.slots):
        return pos
    slot = pattern.slots[slot_index]
    if slot.end:
        return pos if pos == len(tokens) else None
    if slot.repeat or slot.gap:
        end = pos
        limit = min(len(tokens), pos + slot.gap) if slot.gap else len(tokens)
        while end < limit and (slot.gap or tokens[end].norm in slot.words):
            end += 1
        order = range(pos, end + 1) if slot.gap else range(end, pos - 1, -1)  # gaps lazy, repeats greedy
        for stop in order:
            found = _match(pattern, slot_index + 1, tokens, stop, tests)
            if found is not None:
                return found
        return None
    if pos < len(tokens) and _slot_accepts(slot, pattern, tokens, pos, tests):
        found = _match(pattern, slot_index + 1, tokens, pos + 1, tests)
        if found is not None:
            return found
    if slot.optional:
        return _match(pattern, slot_index + 1, tokens, pos, tests)
    return None


def _slot_accepts(slot: Slot, pattern: Pattern, tokens: Sequence, pos: int, tests: WordTests) -> bool:
    norm = tokens[pos].norm
    if norm in slot.words:
        return True
    for word_class in slot.classes:
        if word_class == "verb" and tests.is_verb(tokens, pos, pattern.blocked):
            return True
        if word_class == "name" and tests.is_name(tokens, pos):
            return True
        if word_class == "Name" and tokens[pos].capital and tests.is_name(tokens, pos):
            return True
        if word_class == "ing" and len(norm) > 4 and norm.endswith("ing"):
            return True
    return False
