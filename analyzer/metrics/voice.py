"""How people sound: vocal energy, loudness, pitch, pace, raised voices and heated stretches.

Pure Python on the frame features of the prosody stage (:class:`analyzer.core.schema.VoiceFrames`,
from each person's exclusive speech only). Definitions, parameters and citations: docs/metrics.md
(section "Voice"); the parameters are :class:`analyzer.core.config.VoiceConfig`.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from analyzer.core.config import VoiceConfig
from analyzer.metrics.intervals import by_speaker, clip, union
from analyzer.metrics.turns import FloorTurn
from analyzer.core.schema import (
    Diarization, HeatedStretch, Interruption, RaisedVoice, SpeakerSegment, SpeakerWord, VoiceFrames, VoiceMetrics,
    VoiceStats,
)

ACTIVE_FLOOR_DB = -75.0  # frames below this are silence whatever the person's level
MIN_PITCH_FRAMES = 25  # 0.5 s of voiced frames before pitch figures are given
MIN_PACE_WORDS = 10  # fewer words than this: pace comes from the syllable estimate
SYLLABLE_DIP_DB = 2.0  # de Jong & Wempe (2009): a nucleus rises 2 dB above the dip before it
SYLLABLE_MIN_GAP_S = 0.1
MAX_QUOTE_WORDS = 25
OCTAVE_ERROR_ST = 10.0
COMPETITIVE = ("successful", "unsuccessful")


@dataclass
class _Track:
    """One person's frames in time order (all frames, with the active ones marked)."""

    times: list[float] = field(default_factory=list)
    levels: list[float] = field(default_factory=list)
    pitches: list[float] = field(default_factory=list)
    frame_time: float = 0.0  # seconds of exclusive speech covered by frames
    syllables: int = 0


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of an ascending sequence, linear between ranks."""
    if not ordered:
        raise ValueError("percentile of an empty sequence")
    pos = q * (len(ordered) - 1)
    low = int(math.floor(pos))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def power(level_db: float) -> float:
    return 10.0 ** (level_db / 10.0)


def to_db(mean_power: float) -> float:
    return 10.0 * math.log10(max(mean_power, 1e-10))


def _tracks(frames: Sequence[VoiceFrames]) -> dict[str, _Track]:
    tracks: dict[str, _Track] = defaultdict(_Track)
    for f in sorted(frames, key=lambda f: f.start):
        track = tracks[f.speaker]
        track.times.extend(f.start + i * f.hop for i in range(len(f.level_db)))
        track.levels.extend(f.level_db)
        track.pitches.extend(f.pitch_hz)
        track.frame_time += len(f.level_db) * f.hop
        track.syllables += count_syllables(f)
    return tracks


def count_syllables(f: VoiceFrames) -> int:
    """Syllable nuclei in one segment: voiced level peaks 2 dB above the dip before them, >= 0.1 s apart.

    After de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure speech rate
    automatically", Behavior Research Methods 41(2):385-390 (intensity peaks, dip 2 dB, voiced).
    """
    levels, pitches = f.level_db, f.pitch_hz
    count, dip, last = 0, math.inf, -math.inf
    for i in range(1, len(levels) - 1):
        level = levels[i]
        dip = min(dip, level)
        if (pitches[i] > 0 and level >= levels[i - 1] and level > levels[i + 1]
                and level - dip >= SYLLABLE_DIP_DB and (i - last) * f.hop >= SYLLABLE_MIN_GAP_S):
            count, dip, last = count + 1, level, i
    return count


def _active(track: _Track, config: VoiceConfig) -> list[int]:
    """Indices of frames that are speech, not pauses: within ``active_range_db`` of the person's 95th percentile."""
    if not track.levels:
        return []
    top = percentile(sorted(track.levels), 0.95)
    floor = max(ACTIVE_FLOOR_DB, top - config.active_range_db)
    return [i for i, level in enumerate(track.levels) if level >= floor]


def smoothed_levels(times: Sequence[float], powers: Sequence[float], window_s: float) -> list[float]:
    """Per frame, the mean power (dB) of the frames within ``window_s / 2`` of it (times ascending)."""
    prefix = [0.0]
    for p in powers:
        prefix.append(prefix[-1] + p)
    half = window_s / 2
    out = []
    for t in times:
        lo, hi = bisect_left(times, t - half), bisect_right(times, t + half)
        out.append(to_db((prefix[hi] - prefix[lo]) / max(1, hi - lo)))
    return out


def raised_runs(times: Sequence[float], loudness: Sequence[float], median: float, hop: float,
                config: VoiceConfig) -> list[tuple[float, float, float]]:
    """(start, end, peak dB above median) of the stretches at least N dB up for at least M seconds.

    A stretch must also rise ``raised_min_excess_db_s`` over N in all: the dB by which each of its
    frames is above N, times the frame step, summed. This keeps natural emphasis out, which
    crosses N on the 2 s loudness but only just (docs/metrics.md, "Raised-voice moments").
    """
    runs: list[list[float]] = []  # start, end, peak above median, excess over N (dB x s)
    for t, level in zip(times, loudness):
        above = level - median
        if above < config.raised_min_db:
            continue
        excess = (above - config.raised_min_db) * hop
        if runs and t - runs[-1][1] <= config.raised_gap_s + hop:
            runs[-1][1], runs[-1][2], runs[-1][3] = t, max(runs[-1][2], above), runs[-1][3] + excess
        else:
            runs.append([t, t, above, excess])
    return [(start - hop / 2, end + hop / 2, peak) for start, end, peak, excess in runs
            if end - start + hop >= config.raised_min_s and excess >= config.raised_min_excess_db_s]


def quote(words: Sequence[SpeakerWord], speaker: str, start: float, end: float) -> str:
    """The speaker's words inside [start, end] (at most 25 words, then "...")."""
    said = [w.word.text.strip() for w in words
            if w.speaker == speaker and w.word.end > start and w.word.start < end]
    text = " ".join(said[:MAX_QUOTE_WORDS])
    return text + (" ..." if len(said) > MAX_QUOTE_WORDS else "")


def voice_metrics(frames: Sequence[VoiceFrames], *, people: Sequence[str], words: Sequence[SpeakerWord],
                  word_counts: Mapping[str, int], speaking_times: Mapping[str, float],
                  interruptions: Sequence[Interruption], floor: Sequence[FloorTurn], duration: float,
                  config: VoiceConfig) -> VoiceMetrics:
    """Per-person voice figures, raised-voice moments and heated stretches of one session."""
    tracks = _tracks(frames)
    hop = frames[0].hop if frames else config.hop_s
    energies: dict[str, float] = {}
    rows, raised = [], []
    for person in people:
        track = tracks.get(person, _Track())
        active = _active(track, config)
        times = [track.times[i] for i in active]
        powers = [power(track.levels[i]) for i in active]
        energies[person] = sum(powers) * hop
        stats = {"energy_db": None, "median_level_db": None, "loud_p90_db": None}
        moments: list[RaisedVoice] = []
        if active:
            loudness = smoothed_levels(times, powers, config.smooth_s)
            ordered = sorted(loudness)
            median = percentile(ordered, 0.5)
            stats = {"energy_db": to_db(sum(powers) / len(powers)), "median_level_db": median,
                     "loud_p90_db": percentile(ordered, 0.9) - median}
            moments = [RaisedVoice(person, round(start, 3), round(end, 3), round(peak, 2),
                                   quote(words, person, start, end))
                       for start, end, peak in raised_runs(times, loudness, median, hop, config)]
        raised.extend(moments)
        rows.append(dict(person=person, track=track, active=active, moments=moments, **stats))
    group_energy = sum(energies.values())
    stats_rows = tuple(_person_row(r, energies[r["person"]] / group_energy if group_energy > 0 else 0.0,
                                   word_counts.get(r["person"], 0), speaking_times.get(r["person"], 0.0),
                                   hop, config) for r in rows)
    raised.sort(key=lambda m: (m.start, m.speaker))
    return VoiceMetrics(speakers=stats_rows, raised=tuple(raised),
                        heated=heated_stretches(raised, interruptions, floor, duration, config))


def _person_row(row: dict, energy_share: float, word_count: int, speaking_time: float, hop: float,
                config: VoiceConfig) -> VoiceStats:
    track: _Track = row["track"]
    voiced = sorted(track.pitches[i] for i in row["active"] if track.pitches[i] > 0)
    pitch_median = pitch_range = None
    if len(voiced) >= MIN_PITCH_FRAMES:
        pitch_median = percentile(voiced, 0.5)
        # octave errors of the pitch tracker land about 12 semitones off: drop frames that far out
        low, high = pitch_median * 2 ** (-OCTAVE_ERROR_ST / 12), pitch_median * 2 ** (OCTAVE_ERROR_ST / 12)
        voiced = [p for p in voiced if low <= p <= high]
        pitch_range = 12.0 * math.log2(percentile(voiced, 0.9) / percentile(voiced, 0.1))
    syllables = 60.0 * track.syllables / track.frame_time if track.frame_time > 0 else None
    if word_count >= MIN_PACE_WORDS and speaking_time > 0:
        pace, source = 60.0 * word_count / speaking_time, "words"
    elif syllables is not None and track.syllables > 0:
        pace, source = syllables / config.syllables_per_word, "syllables"
    else:
        pace, source = None, "none"
    moments: list[RaisedVoice] = row["moments"]
    return VoiceStats(
        speaker=row["person"], voiced_time=len(row["active"]) * hop, energy_db=row["energy_db"],
        energy_share=energy_share, median_level_db=row["median_level_db"], loud_p90_db=row["loud_p90_db"],
        raised_moments=len(moments), raised_time=sum(m.end - m.start for m in moments),
        pitch_median_hz=pitch_median, pitch_range_st=pitch_range, syllables_per_minute=syllables,
        pace_wpm=pace, pace_source=source)


def heated_windows(duration: float, config: VoiceConfig) -> list[tuple[float, float]]:
    if duration <= 0:
        return []
    width = min(config.heated_window_s, duration)
    bounds, start = [], 0.0
    while start + width < duration - 1e-9:
        bounds.append((start, start + width))
        start += config.heated_step_s
    bounds.append((max(0.0, duration - width), duration))
    return bounds


def _cues(start: float, end: float, raised: Sequence[RaisedVoice], interruptions: Sequence[Interruption],
          changes: Sequence[float]) -> tuple[list[RaisedVoice], list[Interruption], float]:
    inside = [m for m in raised if m.end > start and m.start < end]
    competitive = [i for i in interruptions if i.type in COMPETITIVE and start <= i.time < end]
    per_minute = 60.0 * sum(1 for t in changes if start <= t < end) / (end - start) if end > start else 0.0
    return inside, competitive, per_minute


def heated_stretches(raised: Sequence[RaisedVoice], interruptions: Sequence[Interruption],
                     floor: Sequence[FloorTurn], duration: float, config: VoiceConfig) -> tuple[HeatedStretch, ...]:
    """Windows with a raised voice and either interruptions or fast floor changes, merged into stretches."""
    if not raised:
        return ()
    changes = [b.start for a, b in zip(floor, floor[1:]) if a.speaker != b.speaker]
    hot: list[list[float]] = []
    for start, end in heated_windows(duration, config):
        inside, competitive, per_minute = _cues(start, end, raised, interruptions, changes)
        if inside and (len(competitive) >= config.heated_min_interruptions
                       or per_minute >= config.heated_min_changes_per_minute):
            if hot and start <= hot[-1][1]:
                hot[-1][1] = end
            else:
                hot.append([start, end])
    out = []
    for start, end in hot:
        inside, competitive, per_minute = _cues(start, end, raised, interruptions, changes)
        people = sorted({m.speaker for m in inside} | {i.interrupter for i in competitive}
                        | {i.interrupted for i in competitive})
        out.append(HeatedStretch(round(start, 3), round(end, 3), len(inside), len(competitive),
                                 round(per_minute, 2), tuple(people)))
    return tuple(out)


def clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}" if whole >= 3600 \
        else f"{whole // 60}:{whole % 60:02d}"


def heated_reason(voice: VoiceMetrics | None, duration: float) -> str | None:
    """The verdict's context reason about heated stretches (None when there are none)."""
    if voice is None or not voice.heated:
        return None
    seconds = sum(h.end - h.start for h in voice.heated)
    counts: dict[str, int] = {}
    for h in voice.heated:
        for m in voice.raised:
            if m.end > h.start and m.start < h.end:
                counts[m.speaker] = counts.get(m.speaker, 0) + 1
    who = ", ".join(f"{p} {n}" for p, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    spans = ", ".join(f"{clock(h.start)}-{clock(h.end)}" for h in voice.heated[:3])
    more = f" and {len(voice.heated) - 3} more" if len(voice.heated) > 3 else ""
    share = f", {round(100 * seconds / duration):.0f} % of the meeting" if duration > 0 else ""
    noun = "stretch" if len(voice.heated) == 1 else "stretches"
    return (f"{len(voice.heated)} heated {noun} ({spans}{more}{share}): raised voices (by {who}) met "
            f"interruptions or fast floor changes.")




def solo_speech(diarization: Diarization, min_s: float = 0.1) -> tuple[SpeakerSegment, ...]:
    """Exclusive segments minus every moment another person also spoke (overlapping track).

    The prosody stage measures these only: an exclusive segment can hold overlapped speech
    (the exclusive track gives overlaps to one person), and another voice would be measured as
    this person's level and pitch.
    """
    activity = by_speaker(diarization.segments or diarization.exclusive)
    out = []
    for seg in diarization.exclusive:
        others = union(i for p, items in activity.items() if p != seg.speaker for i in clip(items, seg.start, seg.end))
        cursor = seg.start
        for start, end in [*others, (seg.end, seg.end)]:
            if start - cursor >= min_s:
                out.append(SpeakerSegment(cursor, start, seg.speaker))
            cursor = max(cursor, end)
    return tuple(out)
