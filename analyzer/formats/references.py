"""Readers for reference transcripts: NIST STM and plain text. Pure Python.

STM has one timed segment per line: ``uri channel speaker start end [<labels>] text``;
lines starting with ``;;`` are comments, and ``ignore_time_segment_in_scoring``
segments are skipped. Plain-text references are the words of the file, except lines
starting with ``#`` (comments); ``id|text`` lines (TTS file lists) and ``id<TAB>text``
lines contribute their text, optionally only for ids containing ``select``.
Errors name the file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from analyzer.core.errors import InputFormatError
from analyzer.formats.fileio import read_text_input


@dataclass(frozen=True, slots=True)
class ReferenceSegment:
    """One timed reference segment (``start``/``end`` are None in plain-text references)."""

    speaker: str | None
    start: float | None
    end: float | None
    text: str


@dataclass(frozen=True, slots=True)
class ReferenceTranscript:
    """What was said, as segments in file order."""

    path: str
    segments: tuple[ReferenceSegment, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


def read_transcript(path: str | Path, select: str | None = None) -> ReferenceTranscript:
    """Read an ``.stm`` file or a plain-text reference (any other suffix)."""
    file = Path(path)
    return read_stm(file) if file.suffix.lower() == ".stm" else read_text_transcript(file, select)


def _lines(file: Path) -> list[str]:
    return read_text_input(file, "reference transcript").splitlines()


def read_stm(path: str | Path, uri: str | None = None) -> ReferenceTranscript:
    """Read an STM file (all recordings, or only ``uri``).

    Raises:
        InputFormatError: missing file, or a line with too few fields or bad times.
    """
    file = Path(path)
    segments = []
    for number, line in enumerate(_lines(file), start=1):
        if not line.strip() or line.lstrip().startswith(";;"):
            continue
        fields = line.split(maxsplit=5)
        if len(fields) < 5:
            raise InputFormatError(f"{file}:{number}: STM line has {len(fields)} fields, expected "
                                   "'uri channel speaker start end [<labels>] text'; fix the line")
        try:
            start, end = float(fields[3]), float(fields[4])
        except ValueError:
            raise InputFormatError(f"{file}:{number}: start {fields[3]!r} or end {fields[4]!r} is not a number; "
                                   "fix the line") from None
        if not (math.isfinite(start) and math.isfinite(end)) or end < start or start < 0:
            raise InputFormatError(f"{file}:{number}: times {start} to {end} must be finite with "
                                   "0 <= start <= end; fix the line")
        text = fields[5] if len(fields) > 5 else ""
        if text.startswith("<"):
            text = text.split(">", 1)[1] if ">" in text else ""
        if (uri is not None and fields[0] != uri) or "ignore_time_segment_in_scoring" in text:
            continue
        segments.append(ReferenceSegment(fields[2], start, end, text.strip()))
    return ReferenceTranscript(str(file), tuple(segments))


def read_text_transcript(path: str | Path, select: str | None = None) -> ReferenceTranscript:
    """Read a plain-text reference; ``select`` keeps only ``id|text`` / ``id<TAB>text`` ids containing it.

    Raises:
        InputFormatError: missing file, or ``select`` given and no line matches it.
    """
    file = Path(path)
    segments = []
    for line in _lines(file):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, text = None, stripped
        for separator in ("|", "\t"):
            if separator in stripped:
                key, text = (part.strip() for part in stripped.split(separator, 1))
                break
        if select is not None and (key is None or select not in key):
            continue
        segments.append(ReferenceSegment(None, None, None, text))
    if select is not None and not segments:
        raise InputFormatError(f"{file}: no 'id|text' line has an id containing {select!r}; "
                               "fix transcript_select in the manifest")
    return ReferenceTranscript(str(file), tuple(segments))
