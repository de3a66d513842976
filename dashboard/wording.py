"""The plain, neutral sentences the dashboard shows around the numbers."""

from __future__ import annotations

from analyzer.core.schema import VerdictLabel

ESTIMATES_NOTE = (
    "These numbers are estimates made by software from the audio alone: who was speaking, when, and what "
    "words were recognised. Voices can be confused, quiet speech missed and words misheard. They describe "
    "how the conversation was shared, not the people in it, and are no judgement of anyone."
)

VERDICT_HEADLINES = {
    VerdictLabel.ONE_TO_MANY: ("One to many", "Most of the talking came from one person, speaking to the group."),
    VerdictLabel.HUB_AND_SPOKE: ("Hub and spoke", "The conversation went back and forth through one person; "
                                       "others spoke mostly with that person rather than with each other."),
    VerdictLabel.MANY_TO_MANY: ("Many to many", "Several people spoke and replied to each other; "
                                     "the floor moved around the group."),
    VerdictLabel.NO_SPEECH: ("No speech found", "No speech was detected in this recording."),
}

WINDOW_EXPLANATION = (
    "Each stretch of the meeting (a timeline window) is labelled from the speaking time inside a sliding window: "
    "monologue (one person spoke most), dialogue (two people shared it), many to many "
    "(three or more people took part), or silence."
)


def verdict_headline(label: str) -> tuple[str, str]:
    """(short title, one plain sentence) for a verdict label; unknown labels are shown as they are."""
    return VERDICT_HEADLINES.get(label, (label.replace("_", " ").capitalize(), ""))


def verdict_title(label: str | None) -> str:
    """The short title of a verdict, or an empty string when there is none."""
    return verdict_headline(label)[0] if label else ""
