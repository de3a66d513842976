"""Load a language's lexicon (word sets, formulas, patterns) from ``lexicons/<code>.toml``.

A lexicon is data only: adding a language means writing one TOML file with the
same tables as ``en.toml``. Loaded lexicons are cached per process.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from analyzer.core.errors import ConfigError
from analyzer.directives.patterns import Pattern, compile_pattern

REQUIRED_SETS = ("fillers", "markers", "connectives", "boundaries", "vocatives", "subjects", "adverbs", "check_verbs",
                 "stative_verbs", "participles", "perfect_aux", "participle_suffixes", "guards_before", "reporting", "reporting_own",
                 "pronoun_objects", "weekdays", "function_words", "name_stop", "particle_verbs",
                 "action_particles", "assign_verbs")
REQUIRED_IMPERATIVE = ("verbs", "noun_followers", "noun_bigrams", "copulas", "aux_verbs", "question_subjects",
                       "bare_blocked")
CATEGORIES = ("imperative", "obligation", "question_directive", "assignment", "inclusive")


@dataclass(frozen=True)
class Lexicon:
    """Everything language-specific the detector needs, compiled for fast lookups."""

    language: str
    name: str
    normalize: dict[str, tuple[str, ...]]
    suffixes: dict[str, str]
    keep: frozenset[str]
    sets: dict[str, frozenset[str]]
    formulas: dict[str, tuple[tuple[str, ...], ...]]  # first token -> phrases
    openers: dict[str, tuple[tuple[str, ...], ...]]  # first token -> introductory phrases that end a clause
    imperative_verbs: frozenset[str]
    imperative: dict[str, frozenset[str]]
    noun_bigrams: frozenset[tuple[str, str]]
    start_patterns: tuple[Pattern, ...]
    any_patterns: tuple[Pattern, ...]

    def has(self, set_name: str, token: str) -> bool:
        return token in self.sets[set_name]


def available_languages() -> tuple[str, ...]:
    """Language codes with a lexicon file shipped in ``analyzer/directives/lexicons``."""
    folder = resources.files("analyzer.directives") / "lexicons"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@lru_cache(maxsize=8)
def load_lexicon(language: str = "en") -> Lexicon:
    """Load and compile the lexicon of ``language``.

    Raises:
        ConfigError: no lexicon file for ``language``, or the file is malformed.
    """
    code = (language or "").strip().lower()
    known = available_languages()
    if code not in known:
        raise ConfigError(f"directives_language {language!r} has no lexicon; available: {', '.join(known)} "
                          f"(add analyzer/directives/lexicons/{code or '<code>'}.toml to support it)")
    resource = resources.files("analyzer.directives") / "lexicons" / f"{code}.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
        return _build(code, data)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"lexicon {resource} is malformed: {exc}; fix the file (see en.toml for the "
                          f"expected tables)") from None


def _build(code: str, data: dict) -> Lexicon:
    raw_sets = data["sets"]
    missing = [name for name in REQUIRED_SETS if name not in raw_sets]
    if missing:
        raise ValueError(f"[sets] lacks {', '.join(missing)}")
    imp = data["imperative"]
    sets = {name: frozenset(words) for name, words in raw_sets.items()}
    imperative = {name: frozenset(imp[name]) for name in REQUIRED_IMPERATIVE}
    sets.update({f"imperative_{name}": words for name, words in imperative.items()})
    patterns = []
    for spec in data["patterns"]:
        if spec["category"] not in CATEGORIES:
            raise ValueError(f"pattern {spec['id']!r} has unknown category {spec['category']!r}; "
                             f"use one of {', '.join(CATEGORIES)}")
        patterns.append(compile_pattern(spec, sets))
    return Lexicon(
        language=code, name=data["meta"]["name"],
        normalize={k: tuple(v.split()) for k, v in data["normalize"].items()},
        suffixes=dict(data["suffixes"]), keep=frozenset(data["keep"]["tokens"]), sets=sets,
        formulas=_by_first_word(data["formulas"]["phrases"]),
        openers=_by_first_word(data.get("clause_openers", {}).get("phrases", [])),
        imperative_verbs=imperative["verbs"], imperative=imperative,
        noun_bigrams=frozenset(tuple(b.split()) for b in imp["noun_bigrams"]),  # type: ignore[misc]
        start_patterns=tuple(p for p in patterns if p.anchor == "start"),
        any_patterns=tuple(p for p in patterns if p.anchor == "any"),
    )


def _by_first_word(phrases: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        tokens = tuple(phrase.split())
        grouped.setdefault(tokens[0], []).append(tokens)
    return {word: tuple(group) for word, group in grouped.items()}
