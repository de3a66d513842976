"""Where to cut a long recording into pieces: at pauses, found from the signal's energy.

Speech recognition holds features of everything it transcribes at once, so a long recording
is transcribed piece by piece. A cut through a word would lose or split it; a cut in a
pause loses nothing. Numpy only.
"""

from __future__ import annotations

import numpy as np

FRAME_S = 0.05  # energy frames of 50 ms
QUIET_DB = 10.0  # a frame within this of the quietest frame nearby is part of a pause


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
