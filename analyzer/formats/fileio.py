"""Text files in and out: typed errors when reading an input; atomic writes (a temp file renamed
into place, so a crash never leaves half a file)."""

from __future__ import annotations

from pathlib import Path

from analyzer.core.errors import InputFormatError, StorageError


def write_text_atomic(path: Path, text: str, *, fix: str = "choose a writable --out folder or free "
                      "some disk space") -> None:
    """Write ``text`` to ``path`` via ``path.tmp``; raise :class:`StorageError` naming the file and the fix."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"{path}: cannot write ({exc.strerror or exc}); {fix}") from None


def read_text_input(path: Path, what: str) -> str:
    """The UTF-8 text of an input file (RTTM, transcript, words...); :class:`InputFormatError` otherwise."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFormatError(f"{path}: {what} not found; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot read the {what} ({exc}); give a UTF-8 text file") from None
