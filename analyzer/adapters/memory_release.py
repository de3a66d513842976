"""Hand memory that was freed back to the operating system while a long analysis runs (glibc).

glibc's malloc keeps freed memory inside its heaps for reuse and gives the pages back only from
a heap's top. The model stages free and allocate buffers of a few MB all the time, in two threads,
between long-lived arrays, so the freed pages pile up as resident memory: on a 2-hour meeting
890 MiB of the process's 3.1 GB was such memory (``malloc_trim(0)`` from a debugger gave it back
at once; docs/benchmarks.md, "Two hours"). :class:`MemoryReleaser` calls ``malloc_trim(0)``
every ``interval_s`` seconds from a background thread while an analysis runs, and once at its end.
Where the C library has no ``malloc_trim`` (macOS, musl) it does nothing. It never changes a result.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from typing import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


class MemoryReleaser:
    """``with MemoryReleaser(5.0): analyse()``; ``interval_s <= 0`` or no ``malloc_trim``: does nothing.

    ``trim`` is the function called (tests pass a fake); default: the C library's ``malloc_trim``.
    """

    def __init__(self, interval_s: float, trim: Callable[[int], int] | None = None) -> None:
        self.interval_s = interval_s
        self.trim = trim if trim is not None else (_malloc_trim() if interval_s > 0 else None)
        self.calls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def release(self) -> None:
        if self.trim is not None:
            self.trim(0)
            self.calls += 1

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.release()

    def __enter__(self) -> MemoryReleaser:
        if self.interval_s > 0 and self.trim is not None:
            self._thread = threading.Thread(target=self._loop, name="floorshare-release-memory", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            self.release()
