"""Pauses found from the signal's energy: where to cut a long recording, and what is not speech.

Speech recognition holds features of everything it transcribes at once, so a long recording
is transcribed piece by piece. A cut through a word would lose or split it; a cut in a
pause loses nothing (:func:`pause_cuts`). The diarization marks a person's turn across the
short pauses between their phrases; :func:`without_pauses` takes those pauses out of the
speaking time. Numpy only.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from analyzer.core.schema import SpeakerSegment

FRAME_S = 0.05  # energy frames of 50 ms
QUIET_DB = 10.0  # a frame within this of the quietest frame nearby is part of a pause
LEVEL_FRAME_S = 0.01  # energy frames of 10 ms for the pauses inside a speaker's segments
LOUD_PERCENTILE = 90.0  # a segment's speech level: this percentile of its frames' energy
MIN_PIECE_S = 0.05  # shorter pieces left between pauses are dropped


def pause_cuts(samples: np.ndarray, rate: int, max_piece_s: float, search_s: float = 30.0) -> list[int]:
    """Sample indices where to cut ``samples`` so that no piece is longer than ``max_piece_s``.

    Each cut lies in the last ``search_s`` seconds before the piece would get too long: in the
    middle of the longest run of 50 ms frames whose energy is within 10 dB of the quietest frame
    there (a pause). Recordings that fit in one piece get no cut.
    """
    total = len(samples)
    limit = int(max_piece_s * rate)
    if limit <= 0 or total <= limit:
        return []
    frame = max(1, int(FRAME_S * rate))
    search = min(int(search_s * rate), limit // 2)
    cuts, start = [], 0
    while total - start > limit:
        low, high = start + limit - search, start + limit
        cut = _quietest_point(samples[low:high], frame) + low
        cuts.append(cut)
        start = cut
    return cuts


def _quietest_point(window: np.ndarray, frame: int) -> int:
    """Offset of the middle of the longest pause in ``window`` (see :func:`pause_cuts`)."""
    count = len(window) // frame
    if count < 3:
        return len(window) // 2
    frames = window[:count * frame].astype(np.float32).reshape(count, frame)
    energy = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-10)
    quiet = energy <= energy.min() + QUIET_DB
    best_start, best_len, run_start = int(np.argmin(energy)), 1, None
    for index, is_quiet in enumerate(np.append(quiet, False)):
        if is_quiet and run_start is None:
            run_start = index
        elif not is_quiet and run_start is not None:
            if index - run_start > best_len:
                best_start, best_len = run_start, index - run_start
            run_start = None
    return (best_start + best_len // 2) * frame + frame // 2


def frame_levels(samples: np.ndarray, rate: int, frame_s: float = LEVEL_FRAME_S,
                 block_frames: int = 60_000) -> np.ndarray:
    """Energy in dB of consecutive ``frame_s`` frames (float32, computed a block at a time so a
    recording of hours never needs a float copy of itself)."""
    frame = max(1, int(round(frame_s * rate)))
    count = len(samples) // frame
    levels = np.empty(count, dtype=np.float32)
    for first in range(0, count, block_frames):
        last = min(count, first + block_frames)
        block = samples[first * frame:last * frame].astype(np.float32).reshape(last - first, frame)
        levels[first:last] = 10.0 * np.log10(np.mean(block * block, axis=1) + 1e-10)
    return levels


def without_pauses(segments: Sequence[SpeakerSegment], levels: np.ndarray, *, depth_db: float,
                   min_pause_s: float, frame_s: float = LEVEL_FRAME_S) -> tuple[SpeakerSegment, ...]:
    """``segments`` with the pauses inside them taken out.

    A pause is a run of frames at least ``depth_db`` below the segment's own speech level (the
    90th percentile of its frames' energy) lasting ``min_pause_s`` or more; at either end of a
    segment half of that is enough (the diarization's edges run a little into silence). Only a
    clearly audible drop counts: where noise or reverberation fills the pauses, nothing changes.
    ``depth_db <= 0`` leaves the segments as they are.
    """
    if depth_db <= 0 or len(levels) == 0:
        return tuple(segments)
    inner, edge = int(round(min_pause_s / frame_s)), max(1, int(round(min_pause_s / 2 / frame_s)))
    kept: list[SpeakerSegment] = []
    for seg in segments:
        first, last = int(round(seg.start / frame_s)), min(int(round(seg.end / frame_s)), len(levels))
        if last - first < 3:
            kept.append(seg)
            continue
        span = levels[first:last]
        quiet = np.concatenate(([False], span < np.percentile(span, LOUD_PERCENTILE) - depth_db, [False]))
        bounds = np.flatnonzero(np.diff(quiet.astype(np.int8)))  # run starts and ends, alternating
        start = seg.start
        for run_start, run_end in zip(bounds[::2], bounds[1::2]):
            at_edge = run_start == 0 or run_end == len(span)
            if run_end - run_start >= (edge if at_edge else inner):
                _keep_piece(kept, seg.speaker, start, (first + run_start) * frame_s)
                start = (first + run_end) * frame_s
        _keep_piece(kept, seg.speaker, start, seg.end)
    return tuple(kept)


def _keep_piece(kept: list[SpeakerSegment], speaker: str, start: float, end: float) -> None:
    if end - start >= MIN_PIECE_S:
        kept.append(SpeakerSegment(round(float(start), 3), round(float(end), 3), speaker))
