"""Atomic text writes: a temp file renamed into place, so a crash never leaves half a file."""

from __future__ import annotations

from pathlib import Path

from analyzer.errors import StorageError


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
