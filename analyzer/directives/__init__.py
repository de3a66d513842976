"""Directive language: explainable, rule-based detection of orders, obligations and requests.

``find_directives(turns, language, words)`` returns one :class:`~analyzer.core.schema.DirectiveHit` per
directive clause with its category (``imperative``, ``obligation``, ``question_directive``,
``assignment``, ``inclusive``), the rule id that fired and the quote. The language-specific
words and patterns live in ``lexicons/<code>.toml``; see docs/directives.md.
"""

from analyzer.directives.detector import Match, detect_text, find_directives
from analyzer.directives.lexicon import CATEGORIES, available_languages, load_lexicon

__all__ = ["CATEGORIES", "Match", "available_languages", "detect_text", "find_directives", "load_lexicon"]
