"""Text heuristics on ASR output: backchannel words, questions, finished sentences. Pure Python.

ASR punctuation is unreliable (small Whisper models often drop '?'), so a
sentence counts as a question when it ends in '?' *or* opens like one: a
wh-word followed by an auxiliary ("what do", "why is", "how can", "what's"),
"how about"/"what about", or an inverted auxiliary followed by a subject
("do you", "is it", "can we", "shall I"). Leading discourse markers ("so",
"and", "okay", "well", "um") are skipped before the opener is checked.
"""

from __future__ import annotations

import re

# Continuers, acknowledgements and fillers (Schegloff 2000; Gravano & Hirschberg 2011).
BACKCHANNEL_WORDS = frozenset({
    "yeah", "yes", "yep", "yup", "ya", "yah", "mhm", "mm", "mmm", "hmm", "hm", "mm-hmm", "mmhmm", "mhmm",
    "uh-huh", "uhhuh", "uh", "um", "ah", "oh", "aha", "ahh", "ooh", "okay", "ok", "right", "sure", "exactly",
    "true", "alright", "wow", "cool", "nice", "great", "indeed", "absolutely", "definitely", "totally",
    "really", "ja", "huh", "gotcha", "i", "see",
})

WH_WORDS = frozenset({"what", "why", "how", "when", "where", "who", "which", "whose", "whom"})
WH_CONTRACTIONS = frozenset({"what's", "who's", "where's", "how's", "when's", "why's", "whats", "hows"})
AUXILIARIES = frozenset({
    "do", "does", "did", "is", "are", "was", "were", "am", "can", "could", "will", "would", "should", "shall",
    "may", "might", "must", "have", "has", "had", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't",
    "weren't", "can't", "couldn't", "won't", "wouldn't", "shouldn't", "haven't", "hasn't", "hadn't",
})
SUBJECTS = frozenset({
    "you", "we", "i", "it", "they", "he", "she", "this", "that", "there", "these", "those", "anyone",
    "anybody", "everyone", "everybody", "someone", "somebody", "the", "a", "an", "your", "our", "my", "his",
    "her", "their", "its", "y'all", "ya",
})
OBJECT_LIKE = frozenset({"it", "this", "that", "these", "those", "there", "the", "a", "an", "your", "our",
                         "my", "his", "her", "their", "its"})
DISCOURSE_MARKERS = frozenset({"so", "and", "but", "okay", "ok", "well", "um", "uh", "oh", "then", "now",
                               "alright", "right", "hey", "yeah", "also"})

_TOKEN = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_TERMINAL = ("." , "!", "?", "…")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes and hyphens kept inside words)."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def is_backchannel_text(text: str, max_words: int) -> bool:
    """True when ``text`` has 1..max_words tokens, all from :data:`BACKCHANNEL_WORDS`."""
    words = tokens(text)
    return 0 < len(words) <= max_words and all(w in BACKCHANNEL_WORDS for w in words)


def sentences(text: str) -> list[str]:
    """Split on terminal punctuation followed by a space; a trailing fragment is a sentence too."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def is_question(sentence: str) -> bool:
    """A sentence ending in '?' or opening with a question form (see the module docstring)."""
    stripped = sentence.strip()
    if stripped.endswith("?"):
        return True
    words = tokens(stripped)
    while words and words[0] in DISCOURSE_MARKERS:
        words = words[1:]
    if len(words) < 2:
        return False
    first, second = words[0], words[1]
    if first in WH_CONTRACTIONS:
        return True
    if first in WH_WORDS:
        return second in AUXILIARIES or second == "about" or second in WH_CONTRACTIONS
    if first in ("do", "don't") and second in OBJECT_LIKE:
        return False  # "do it now", "don't do that": imperatives
    return first in AUXILIARIES and second in SUBJECTS


def count_questions(text: str) -> int:
    return sum(1 for s in sentences(text) if is_question(s))


def ends_sentence(text: str) -> bool:
    """True when the text ends with terminal punctuation (a finished sentence)."""
    return text.rstrip().rstrip("\"')]").endswith(_TERMINAL)
