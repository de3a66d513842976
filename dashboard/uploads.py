"""Uploaded recordings: safe names, size limit, content check, private temporary folders.

The browser's file name is never used as a path: it is reduced to a safe base name.
Whether a file is audio is decided by decoding its header with PyAV
(:func:`analyzer.adapters.audio.probe_audio`), not by its extension. Each upload lives in its
own temporary folder (mode 0700) that is removed when the analysis ends, fails, or
the file is rejected.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from analyzer.adapters.audio import probe_audio
from analyzer.core.errors import AudioError, StorageError

UPLOAD_LIMIT_MB = 500  # also in .streamlit/config.toml (server.maxUploadSize) and `floorshare dashboard`
MAX_NAME_LENGTH = 100
TEMP_PREFIX = "floorshare-upload-"


@dataclass(frozen=True, slots=True)
class StagedUpload:
    """An uploaded recording saved to its own temporary folder."""

    name: str  # the sanitised file name shown to people and stored as the recording's name
    path: Path
    folder: Path
    duration: float

    def remove(self) -> None:
        """Delete the temporary folder and the file in it."""
        remove_folder(self.folder)


def sanitise_filename(name: str) -> str:
    """A safe base name: no folders, no control or shell characters, at most 100 characters.

    >>> sanitise_filename("../../etc/Réunion du lundi (1).WAV")
    'Reunion_du_lundi_1.WAV'
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"_+", "_", base).strip("._-")
    base = re.sub(r"_\.", ".", base)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[: MAX_NAME_LENGTH - len(ext) - 1] or "recording"
    return f"{stem}.{ext}" if ext else stem


def title_from_name(name: str) -> str:
    """A readable default session title from a sanitised file name."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem.replace("_", " ").strip() or "recording"


def stage_upload(data: BinaryIO, original_name: str, size: int,
                 limit_mb: int = UPLOAD_LIMIT_MB) -> StagedUpload:
    """Save an upload to a private temporary folder and check that it holds audio.

    Args:
        data: the uploaded file's bytes (a file-like object, read from its start).
        original_name: the name the browser sent (only used to build a safe name).
        size: the size in bytes as the browser reported it.
        limit_mb: the upload limit in megabytes.

    Returns:
        The staged upload; call :meth:`StagedUpload.remove` once done with it.

    Raises:
        AudioError: too large (as declared or as actually read), empty, or not a decodable
            recording. StorageError: the temporary copy cannot be written (disk full...).
            The folder is removed in every case.
    """
    name = sanitise_filename(original_name)
    limit = limit_mb * 1024 * 1024
    if size > limit:
        raise _too_large(name, size, limit_mb)
    try:
        folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    except OSError as exc:
        raise _cannot_write(name, exc) from None
    path = folder / name
    try:
        with path.open("wb") as handle:
            data.seek(0)
            shutil.copyfileobj(data, _LimitedWriter(handle, limit, name, limit_mb), length=1 << 20)
        duration, _, _ = probe_audio(path)
    except AudioError as exc:
        remove_folder(folder)
        raise AudioError(str(exc).replace(str(path), name)) from None
    except OSError as exc:
        remove_folder(folder)
        raise _cannot_write(name, exc) from None
    except BaseException:
        remove_folder(folder)
        raise
    return StagedUpload(name=name, path=path, folder=folder, duration=duration)


class _LimitedWriter:
    """Writes through to a file and stops once more than ``limit`` bytes came (whatever was declared)."""

    def __init__(self, handle: BinaryIO, limit: int, name: str, limit_mb: int) -> None:
        self.handle, self.limit, self.name, self.limit_mb, self.written = handle, limit, name, limit_mb, 0

    def write(self, chunk: bytes) -> int:
        self.written += len(chunk)
        if self.written > self.limit:
            raise _too_large(self.name, self.written, self.limit_mb, at_least=True)
        return self.handle.write(chunk)


def _too_large(name: str, size: int, limit_mb: int, at_least: bool = False) -> AudioError:
    amount = f"more than {limit_mb} MB" if at_least else f"{size / 1024 / 1024:.0f} MB"
    return AudioError(f"{name}: {amount}, over the {limit_mb} MB upload limit; "
                      "compress it (mp3, m4a, ogg) or cut it into parts")


def _cannot_write(name: str, exc: OSError) -> StorageError:
    return StorageError(f"{name}: cannot save the upload in {tempfile.gettempdir()} "
                        f"({exc.strerror or exc}); free some disk space there or set TMPDIR to another folder")


def remove_folder(folder: Path) -> None:
    """Remove a temporary upload folder (only ever one this module made)."""
    if folder.name.startswith(TEMP_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)
