"""Find the recordings of a batch: by extension and by content, in a stable order.

A file with a known audio/video extension is a candidate; it is probed with PyAV and,
when it has no readable audio stream (a text file named ``.mp3``, a truncated upload),
it is reported as rejected with the probe's message instead of crashing the batch.
A file with any other extension is probed too and counts when it carries an audio
stream (a recording without an extension, a ``.3gp`` phone video); otherwise it is
quietly ignored (reference RTTMs, notes, images).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analyzer.adapters.audio import AUDIO_EXTENSIONS, probe_audio
from analyzer.core.errors import AnalyzerError, AudioError

# Files that are never recordings and are not worth probing.
SKIPPED_SUFFIXES = frozenset({".txt", ".md", ".rttm", ".stm", ".json", ".jsonl", ".csv", ".toml", ".yaml",
                              ".yml", ".py", ".lst", ".uem", ".pdf", ".png", ".jpg", ".jpeg", ".gif",
                              ".svg", ".db", ".sqlite", ".html", ".log", ".zip", ".gz", ".tar"})


@dataclass(frozen=True, slots=True)
class Discovered:
    """One file found under the batch inputs.

    Attributes:
        path: the file, as given or found (not resolved, so reports show familiar paths).
        duration: audio length in seconds from the probe (0.0 when rejected).
        error: why the file cannot be analysed, or None for a usable recording.
        relative: the path below the folder it was found in (its name for a file given directly);
            output folders mirror it.
    """

    path: Path
    duration: float = 0.0
    error: str | None = None
    relative: Path | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """The outcome of :func:`discover`: usable recordings, rejected files and ignored files."""

    recordings: tuple[Discovered, ...]
    rejected: tuple[Discovered, ...]
    ignored: tuple[Path, ...]
    descended: tuple[Path, ...] = ()  # folders with no recording on top, searched recursively anyway

    @property
    def items(self) -> tuple[Discovered, ...]:
        """Recordings and rejected files together, in the batch's stable order."""
        return tuple(sorted((*self.recordings, *self.rejected), key=lambda d: sort_key(d.path)))


def sort_key(path: Path) -> tuple[str, ...]:
    """Order files by their path components, case-insensitively first (stable across runs and OSes)."""
    return tuple(part.casefold() for part in path.parts) + tuple(path.parts)


def discover(inputs: list[Path], *, recursive: bool = False) -> Discovery:
    """Collect the recordings under ``inputs`` (folders and/or files).

    Args:
        inputs: folders to scan and single files to include.
        recursive: also scan sub-folders (hidden folders are skipped). Without it, a folder
            with no audio file at its top level but sub-folders (a corpus by meeting) is
            still searched recursively, and listed in ``Discovery.descended``.

    Raises:
        AudioError: an input does not exist.
    """
    files: dict[str, tuple[Path, Path]] = {}
    explicit: set[str] = set()
    descended: list[Path] = []
    for given in inputs:
        if not given.exists():
            raise AudioError(f"{given}: no such file or folder; check the path")
        if given.is_dir():
            found = _walk(given, recursive)
            if not recursive and not any(p.suffix.lower() in AUDIO_EXTENSIONS for p in found):
                found = _walk(given, True)
                descended.append(given)
            for path in found:
                files.setdefault(_identity(path), (path, path.relative_to(given)))
        else:
            files.setdefault(_identity(given), (given, Path(given.name)))
            explicit.add(_identity(given))
    recordings, rejected, ignored = [], [], []
    for key, (path, relative) in sorted(files.items(), key=lambda kv: sort_key(kv[1][0])):
        known = path.suffix.lower() in AUDIO_EXTENSIONS or key in explicit
        if not known and path.suffix.lower() in SKIPPED_SUFFIXES:
            ignored.append(path)
            continue
        try:
            duration, _, _ = probe_audio(path)
        except AnalyzerError as exc:
            if known:
                rejected.append(Discovered(path, error=str(exc), relative=relative))
            else:
                ignored.append(path)
            continue
        recordings.append(Discovered(path, duration=duration, relative=relative))
    return Discovery(tuple(recordings), tuple(rejected), tuple(ignored), tuple(descended))


def _walk(folder: Path, recursive: bool) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
        found.extend(Path(root) / name for name in names if not name.startswith("."))
    return found


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())
