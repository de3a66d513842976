"""Directive detector: one test per category and per hard-negative family, plus hits on turns."""

from __future__ import annotations

import pytest

from analyzer.core.errors import ConfigError
from analyzer.core.schema import Turn
from analyzer.directives import available_languages, detect_text, find_directives, load_lexicon


def categories(text: str) -> list[str]:
    return [m.category for m in detect_text(text)]


def rules(text: str) -> list[str]:
    return [m.rule for m in detect_text(text)]


# --- categories (sentences not in the evaluation set) ------------------------------------------

@pytest.mark.parametrize("text", [
    "Send the contract to Paula.", "don't reply all to that thread", "please rebase your branch",
    "okay fix the header and push it", "Zoe, update the forecast tonight.", "let me know how it goes",
    "go ahead and close the ticket", "Never deploy on a Friday.",
])
def test_imperatives(text: str) -> None:
    assert categories(text)[:1] == ["imperative"]


@pytest.mark.parametrize("text", [
    "You need to renew the certificate.", "you have to call them back today", "I want you to lead the retro.",
    "make sure you lock the release branch", "you should talk to the auditors first",
    "somebody has to water the plants", "i need you guys to test the installer",
])
def test_obligations(text: str) -> None:
    assert categories(text)[:1] == ["obligation"]


@pytest.mark.parametrize("text", [
    "Can you send the agenda around?", "could you take a look at the failing test",
    "would you mind renaming the file", "Would you be able to host next week?",
    "why don't you pair with Ivan on it", "can you please follow up with the bank",
    "can you remind me to call the bank",
])
def test_question_directives(text: str) -> None:
    assert categories(text)[:1] == ["question_directive"]


@pytest.mark.parametrize("text", [
    "Sam will take the budget.", "that's on you", "Noor is going to write the summary.",
    "olga will schedule the interviews", "you take the northern accounts", "Felix is in charge of the demo.",
])
def test_assignments(text: str) -> None:
    assert categories(text)[:1] == ["assignment"]


@pytest.mark.parametrize("text", [
    "Let's start with the risks.", "we need to agree on a date", "we should hire a contractor",
    "shall we take a break", "why don't we skip the demo", "lets circle back tomorrow",
    "I think we have to say no to this one.",
])
def test_inclusive(text: str) -> None:
    assert categories(text)[:1] == ["inclusive"]


# --- hard negatives, one test per family ---------------------------------------------------------

@pytest.mark.parametrize("family,text", [
    ("you know", "you know, it's been a long week"),
    ("you know", "and then you know we ran out of time"),
    ("self action", "let me check"), ("self action", "let me see if I can find it"),
    ("self action", "let me think about it"),
    ("first-person need", "I need to leave"), ("first-person need", "i have to jump on another call"),
    ("first-person need", "I should get going"),
    ("reported speech", "she said send it"), ("reported speech", "he told us to rewrite the intro"),
    ("reported speech", "the customer said can you ship it faster"),
    ("reported speech", "my boss was like just get it done"),
    ("check question", "can you hear me?"), ("check question", "could you see the slide?"),
    ("check question", "can everybody see my screen"), ("check question", "can you make it at ten"),
    ("fact question", "did you book the room"), ("fact question", "what should we call it"),
    ("fact question", "can you just remind me I don't have to tick the box"),
    ("backchannel", "yeah"), ("backchannel", "uh huh"), ("backchannel", "right right okay"),
    ("backchannel", "mm-hmm sure"), ("backchannel", "got it, thanks"),
    ("commitment", "I'll send it tonight"), ("commitment", "i can take that one"),
    ("formula", "thank you"), ("formula", "sorry, go on"), ("formula", "never mind"),
    ("formula", "have a good weekend"), ("formula", "don't worry about it"), ("formula", "see you tomorrow"),
    ("conditional", "if you need to leave, that's fine"), ("conditional", "do you need to leave early"),
    ("counterfactual", "you should have seen the numbers"), ("counterfactual", "we should've asked earlier"),
    ("permission", "you don't have to stay"),
    ("noun start", "update on hiring: two offers out"), ("noun start", "call went fine"),
    ("let's as discourse", "let's see"), ("let's as discourse", "let's say it takes a month"),
    ("discourse verb", "look, I understand"), ("discourse verb", "listen i hear you"),
    ("status", "you're on mute"),
])
def test_hard_negatives(family: str, text: str) -> None:
    assert detect_text(text) == (), f"{family}: {text!r} fired {rules(text)}"


# --- explanations, quotes, times ------------------------------------------------------------------

def test_every_hit_names_its_rule_and_category() -> None:
    hits = detect_text("okay sam send me the draft and let's meet on friday")
    assert [(h.category, h.rule) for h in hits] == [("imperative", "imperative.verb_first"),
                                                    ("inclusive", "inclusive.lets")]
    assert [h.quote for h in hits] == ["sam send me the draft", "let's meet on friday"]


def test_unpunctuated_asr_text_is_split_into_clauses() -> None:
    text = "okay thanks everyone okay can you send the notes okay lets wrap up"
    assert categories(text) == ["question_directive", "inclusive"]


def test_long_quotes_are_shortened() -> None:
    text = "we need to " + " ".join(["really"] * 5) + " finish " + " ".join(f"item{i}" for i in range(60))
    (hit,) = detect_text(text)
    assert len(hit.quote) <= 121 and hit.quote.endswith("…")


def test_find_directives_on_turns_gives_speaker_turn_and_clause_time() -> None:
    turns = (Turn(0, "A", 10.0, 20.0, "I agree with that. Priya, ping the vendor again today.", 10),
             Turn(1, "B", 21.0, 22.0, "yeah sure", 2),
             Turn(2, "B", 23.0, 24.0, "", 0))
    (hit,) = find_directives(turns)
    assert (hit.speaker, hit.turn_index, hit.category) == ("A", 0, "imperative")
    assert hit.text == "Priya, ping the vendor again today"
    assert hit.time == pytest.approx(14.0)  # four of ten words come before the quote


def test_unknown_language_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError, match=r"'xx'.*available: en"):
        find_directives((), language="xx")


def test_english_lexicon_is_data() -> None:
    assert "en" in available_languages()
    lexicon = load_lexicon("EN")
    assert lexicon.language == "en" and lexicon.start_patterns and lexicon.any_patterns


def test_a_lexicon_with_an_unknown_set_or_category_is_rejected() -> None:
    import tomllib
    from importlib import resources

    from analyzer.directives.lexicon import _build

    text = (resources.files("analyzer.directives") / "lexicons" / "en.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["patterns"][0]["category"] = "order"
    with pytest.raises(ValueError, match="unknown category 'order'"):
        _build("en", data)
    data = tomllib.loads(text)
    data["patterns"][0]["tokens"] = "let @no_such_set know"
    with pytest.raises(ValueError, match="unknown set '@no_such_set'"):
        _build("en", data)
    data = tomllib.loads(text)
    del data["sets"]["markers"]
    with pytest.raises(ValueError, match="lacks markers"):
        _build("en", data)


def test_hit_time_is_the_first_word_of_the_clause_when_words_are_given():
    from analyzer.core.align import attribute_words, build_turns
    from analyzer.directives import find_directives
    from analyzer.core.schema import SpeakerSegment, Word

    words = [Word(10.0, 10.4, "okay"), Word(10.5, 10.8, "thanks."), Word(14.0, 14.3, "Send"),
             Word(14.4, 14.6, "me"), Word(14.7, 14.9, "the"), Word(15.0, 15.4, "draft.")]
    attributed = attribute_words(words, [SpeakerSegment(9.0, 16.0, "A")])
    turns = build_turns(attributed, max_gap_s=5.0)
    [estimated] = find_directives(turns)
    [exact] = find_directives(turns, words=attributed)
    assert exact.time == 14.0
    assert estimated.time != 14.0 and exact.text == estimated.text
