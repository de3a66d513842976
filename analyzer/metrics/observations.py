"""One or two plain-language observations about a meeting, for the feedback shown to the whole group.

Pure. No jargon, and no person singled out or ranked: sentences speak of "one person", "everyone"
or "the group", never of a name. Chosen in order of what matters most for a group practising
to share the floor: people who did not speak, one voice carrying the meeting, how much of the
meeting had three or more people taking part, and what changed since the previous meeting.
"""

from __future__ import annotations

from analyzer.metrics.agreements import MAX_SHARE, SessionAgreements, many_to_many_share
from analyzer.core.schema import SessionMetrics


def _pct(value: float) -> str:
    return f"{value:.0%}".replace("%", " %")


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, one: str, many: str) -> str:
    return f"{NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else n} {one if n == 1 else many}"


def observations(metrics: SessionMetrics | None, agreements: SessionAgreements | None = None,
                 limit: int = 2) -> list[str]:
    """Up to ``limit`` short sentences about how the floor was shared."""
    if metrics is None or metrics.total_speech <= 0 or not metrics.speakers:
        return ["No speech was found in this recording."]
    found: list[str] = []
    people = len(metrics.speakers)
    silent = [s for s in metrics.speakers if s.share < 0.01]
    shares = sorted((s.share for s in metrics.speakers), reverse=True)
    if silent and people > 1:
        text = f"{_count(len(silent), 'person', 'people')} who {'was' if len(silent) == 1 else 'were'} there " \
               "hardly spoke or did not speak at all. Inviting every voice is part of sharing the floor."
        found.append(text[0].upper() + text[1:])
    if people == 2 and not silent:
        found.append(f"Two people shared the speaking time, {_pct(shares[0])} and {_pct(shares[1])}.")
    elif people >= 3 and shares[0] >= 0.5:
        found.append(f"{_pct(shares[0])} of the speaking time came from one person; the other "
                     f"{_count(people - 1, 'person', 'people')} shared the rest.")
    elif people >= 3 and shares[0] - shares[-1] <= 0.15:
        found.append(f"The speaking time was spread evenly: everyone had between {_pct(shares[-1])} and "
                     f"{_pct(shares[0])}.")
    share = many_to_many_share(metrics)
    if share is not None and people >= 3:
        if share >= 0.5:
            found.append(f"For {_pct(share)} of the meeting, three or more people were taking part in the "
                         "conversation.")
        else:
            found.append(f"Three or more people were taking part for {_pct(share)} of the meeting; the rest "
                         "was one or two people speaking.")
    moved = agreements.movement(MAX_SHARE) if agreements is not None else None
    if moved is not None and moved.towards_goal is not None and abs(moved.change) >= 0.05:
        direction = "down" if moved.change < 0 else "up"
        found.insert(1, f"Since the last meeting, the largest share of speaking time went {direction} from "
                        f"{_pct(moved.previous)} to {_pct(moved.current)}.")
    return found[:limit] or ["The floor was shared between two people."]
