"""The session verdict (one_to_many / hub_and_spoke / many_to_many / no_speech) and the timeline.

Rules, in order (thresholds from :class:`analyzer.core.config.MetricsConfig`):

1. ``no_speech``: nobody spoke.
2. ``one_to_many``: one person has at least ``one_to_many_share`` of the speech, or
   only one person reaches ``active_min_share``.
3. ``hub_and_spoke``: at least three participants and at least ``hub_share`` of the
   floor changes involve one person.
4. ``many_to_many``: otherwise.

Every reason names the number and the threshold that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from analyzer.core.config import MetricsConfig
from analyzer.core.schema import DirectiveHit, TimelineWindow, Verdict, VerdictLabel, WindowLabel
from analyzer.metrics.intervals import Interval, clip, total


def pct(value: float) -> str:
    return f"{round(value * 100):.0f} %"


@dataclass(frozen=True, slots=True)
class VerdictInputs:
    """What the verdict looks at (all shares are of speech time, silent attendees included)."""

    shares: Mapping[str, float]
    silent: Sequence[str]
    hub: str | None
    hub_share: float
    reciprocity: float
    effective_speakers: float
    floor_changes: int
    monologues: Mapping[str, tuple[int, float]]  # person -> (count, seconds)
    duration: float
    directives: Sequence[DirectiveHit]
    voice_reason: str | None = None  # heated stretches, from analyzer.metrics.voice.heated_reason


def decide(inputs: VerdictInputs, config: MetricsConfig) -> Verdict:
    """Label the session and explain why in plain language."""
    if sum(inputs.shares.values()) <= 0:
        return Verdict(VerdictLabel.NO_SPEECH, (f"No speech was found in the recording "
                                                f"({inputs.duration:.1f} s analysed, 0 s of speech).",))
    top = min(inputs.shares, key=lambda p: (-inputs.shares[p], p))
    top_share = inputs.shares[top]
    participants = [p for p, s in inputs.shares.items() if s >= config.active_min_share]
    if top_share >= config.one_to_many_share or len(participants) <= 1:
        label, reasons = VerdictLabel.ONE_TO_MANY, _one_to_many_reasons(inputs, top, participants, config)
    elif len(participants) >= 3 and inputs.hub_share >= config.hub_share:
        label, reasons = VerdictLabel.HUB_AND_SPOKE, _hub_reasons(inputs, top, config)
    else:
        label, reasons = VerdictLabel.MANY_TO_MANY, _many_reasons(inputs, top, participants, config)
    return Verdict(label, tuple(reasons + _context_reasons(inputs, top, config)))


def _one_to_many_reasons(inputs: VerdictInputs, top: str, participants: list[str],
                         config: MetricsConfig) -> list[str]:
    share = inputs.shares[top]
    reasons = [f"{top} spoke {pct(share)} of the speech time (one-to-many threshold "
               f"{pct(config.one_to_many_share)})."]
    if len(participants) <= 1:
        reasons.append(f"Only {top} reached {pct(config.active_min_share)} of the speech time.")
    if inputs.hub is not None and inputs.floor_changes:
        reasons.append(f"{pct(inputs.hub_share)} of {inputs.floor_changes} floor changes involved {inputs.hub}.")
    return reasons


def _hub_reasons(inputs: VerdictInputs, top: str, config: MetricsConfig) -> list[str]:
    return [
        f"{pct(inputs.hub_share)} of {inputs.floor_changes} floor changes involved {inputs.hub} "
        f"(hub-and-spoke threshold {pct(config.hub_share)}).",
        f"Only {pct(1 - inputs.hub_share)} of floor changes went directly between other people.",
        f"The largest share of speech time was {top}'s {pct(inputs.shares[top])}, below the one-to-many "
        f"threshold {pct(config.one_to_many_share)}.",
    ]


def _many_reasons(inputs: VerdictInputs, top: str, participants: list[str], config: MetricsConfig) -> list[str]:
    reasons = [f"No one reached {pct(config.one_to_many_share)} of the speech time: the largest share was "
               f"{top}'s {pct(inputs.shares[top])}."]
    if len(participants) >= 3 and inputs.floor_changes:
        reasons.append(f"At most {pct(inputs.hub_share)} of {inputs.floor_changes} floor changes involved one "
                       f"person ({inputs.hub}), below the hub-and-spoke threshold {pct(config.hub_share)}.")
    elif len(participants) == 2:
        reasons.append("Two people shared the floor, so every floor change involved both of them.")
    if inputs.floor_changes:
        reasons.append(f"{pct(inputs.reciprocity)} of floor changes were answered back (reciprocity); "
                       f"effective number of speakers {inputs.effective_speakers:.1f} of {len(inputs.shares)}.")
    return reasons


def _context_reasons(inputs: VerdictInputs, top: str, config: MetricsConfig) -> list[str]:
    reasons = []
    count, seconds = inputs.monologues.get(top, (0, 0.0))
    if count and inputs.duration > 0:
        reasons.append(f"{top} held {count} monologue{'s' if count > 1 else ''} of at least "
                       f"{config.monologue_min_s:.0f} s, {pct(seconds / inputs.duration)} of the meeting.")
    if inputs.silent:
        reasons.append(f"{len(inputs.silent)} of {len(inputs.shares)} attendees did not speak "
                       f"({', '.join(inputs.silent)}).")
    if inputs.directives:
        counts: dict[str, int] = {}
        for hit in inputs.directives:
            counts[hit.speaker] = counts.get(hit.speaker, 0) + 1
        most = max(counts.values())
        issuers = sorted(p for p, n in counts.items() if n == most)
        total_hits = len(inputs.directives)
        noun = "directive" if total_hits == 1 else "directives"
        if len(issuers) == 1:
            reasons.append(f"{issuers[0]} issued {most} of the {total_hits} {noun}.")
        else:
            names = ", ".join(issuers[:-1]) + f" and {issuers[-1]}"
            reasons.append(f"{names} each issued {most} of the {total_hits} {noun}.")
    if inputs.voice_reason:
        reasons.append(inputs.voice_reason)
    return reasons


def window_bounds(duration: float, config: MetricsConfig) -> list[Interval]:
    """Window (start, end) pairs: ``window_s`` long every ``window_step_s``, shrunk for short meetings.

    The window is ``min(window_s, duration / 2)`` and the step ``min(window_step_s, window / 5)``
    so that a short meeting still gets about ten windows; the last window ends at the end.
    """
    if duration <= 0:
        return []
    width = min(config.window_s, duration / 2)
    step = min(config.window_step_s, width / 5)
    bounds = []
    start = 0.0
    while start + width < duration - 1e-9:
        bounds.append((start, start + width))
        start += step
    bounds.append((max(0.0, duration - width), duration))
    return bounds


def timeline(exclusive: Mapping[str, Sequence[Interval]], duration: float,
             config: MetricsConfig) -> tuple[TimelineWindow, ...]:
    """Label each window monologue / dialogue / many_to_many / silence by its speech shares."""
    windows = []
    for start, end in window_bounds(duration, config):
        times = {p: total(clip(items, start, end)) for p, items in exclusive.items()}
        speech = sum(times.values())
        ranked = sorted((t for t in times.items() if t[1] > 0), key=lambda t: (-t[1], t[0]))
        if speech < config.window_silence_share * (end - start) or not ranked:
            windows.append(TimelineWindow(start, end, WindowLabel.SILENCE, ()))
            continue
        shares = [t / speech for _, t in ranked]
        if shares[0] >= config.window_monologue_share:
            label = WindowLabel.MONOLOGUE
        elif sum(shares[:2]) >= config.window_dialogue_share:
            label = WindowLabel.DIALOGUE
        else:
            label = WindowLabel.MANY_TO_MANY
        speakers = tuple(p for (p, _), s in zip(ranked, shares) if s >= config.window_min_share)
        windows.append(TimelineWindow(start, end, label, speakers))
    return tuple(windows)
