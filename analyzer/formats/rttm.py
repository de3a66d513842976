"""Read RTTM diarization files and derive a one-speaker-at-a-time (exclusive) track. Pure Python.

RTTM (NIST Rich Transcription Time Marked) has one record per line, space separated::

    SPEAKER <uri> <channel> <start> <duration> <NA> <NA> <speaker> <NA> <NA>

Only ``SPEAKER`` records are read; other record types (``SPKR-INFO``, ``LEXEME``...),
blank lines and ``#`` comments are skipped. Zero-length segments are dropped.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

from analyzer.core.errors import InputFormatError
from analyzer.core.schema import SpeakerSegment
from analyzer.formats.fileio import read_text_input


def read_rttm(path: str | Path) -> dict[str, tuple[SpeakerSegment, ...]]:
    """Read the SPEAKER records of an RTTM file, grouped by recording (uri).

    Args:
        path: the RTTM file.

    Returns:
        uri -> segments sorted by (start, end, speaker); segments may overlap.

    Raises:
        InputFormatError: the file is missing or unreadable, or a SPEAKER line is
            malformed (the message names the file and the line number).
    """
    file = Path(path)
    text = read_text_input(file, "RTTM file")
    found: dict[str, list[SpeakerSegment]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#") or fields[0] != "SPEAKER":
            continue
        uri, segment = _parse_speaker_line(fields, file, number)
        if segment is not None:
            found.setdefault(uri, []).append(segment)
    return {uri: tuple(sorted(segs, key=lambda s: (s.start, s.end, s.speaker))) for uri, segs in found.items()}


def _parse_speaker_line(fields: list[str], file: Path, number: int) -> tuple[str, SpeakerSegment | None]:
    where = f"{file}:{number}"
    if len(fields) < 8:
        raise InputFormatError(f"{where}: SPEAKER line has {len(fields)} fields, expected at least 8 "
                               "(SPEAKER uri channel start duration <NA> <NA> speaker); fix the line")
    try:
        start, duration = float(fields[3]), float(fields[4])
    except ValueError:
        raise InputFormatError(f"{where}: start {fields[3]!r} or duration {fields[4]!r} is not a number; "
                               "fix the line") from None
    if not (math.isfinite(start) and math.isfinite(duration)) or start < 0 or duration < 0:
        raise InputFormatError(f"{where}: start {fields[3]} and duration {fields[4]} must be finite and "
                               "not negative; fix the line")
    speaker = fields[7]
    if speaker in ("<NA>", ""):
        raise InputFormatError(f"{where}: the speaker field (8th) is empty or <NA>; give a speaker label")
    if duration == 0:
        return fields[1], None
    return fields[1], SpeakerSegment(start=start, end=start + duration, speaker=speaker)


def exclusive_from_overlapping(segments: Iterable[SpeakerSegment]) -> tuple[SpeakerSegment, ...]:
    """One speaker at a time: overlapped stretches go to the speaker who started most recently.

    The rule: at every instant where several speakers are active, the time belongs
    to the active segment with the latest start (ties: the alphabetically first
    speaker). A short backchannel inside a long turn therefore takes its own
    seconds, and the long turn resumes after it. Adjacent pieces of one speaker
    are joined. Silence stays silence.

    Args:
        segments: possibly overlapping segments (any order).

    Returns:
        Non-overlapping segments sorted by start.
    """
    segs = [s for s in segments if s.end > s.start]
    bounds = sorted({t for s in segs for t in (s.start, s.end)})
    pieces: list[SpeakerSegment] = []
    by_start = sorted(segs, key=lambda s: s.start)
    active: list[SpeakerSegment] = []
    next_index = 0
    for left, right in zip(bounds, bounds[1:]):
        while next_index < len(by_start) and by_start[next_index].start <= left:
            active.append(by_start[next_index])
            next_index += 1
        active = [s for s in active if s.end > left]
        if not active:
            continue
        owner = max(active, key=lambda s: (s.start, _reverse_key(s.speaker))).speaker
        if pieces and pieces[-1].speaker == owner and math.isclose(pieces[-1].end, left, abs_tol=1e-9):
            pieces[-1] = SpeakerSegment(pieces[-1].start, right, owner)
        else:
            pieces.append(SpeakerSegment(left, right, owner))
    return tuple(pieces)


def _reverse_key(label: str) -> tuple[int, ...]:
    """Sort key that makes ``max`` prefer the alphabetically first label on ties."""
    return tuple(-ord(ch) for ch in label) + (0,)
