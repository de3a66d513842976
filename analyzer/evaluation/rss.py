"""Resident memory of this process: the peak so far, and the peak during one run.

``getrusage``'s ``ru_maxrss`` is the highest resident set size the process has had since
it started: it only grows, so after a first, larger run it says nothing about a second
one. :class:`RssSampler` reads the current resident set size (``/proc/self/statm``, Linux)
from a background thread every ``interval_s`` while a run lasts and keeps the highest value
and the value when it started. The peak it reports is of the whole process (models and
everything loaded before included), sampled: a spike shorter than the interval can be missed.
"""

from __future__ import annotations

import os
import platform
import resource
import threading
from pathlib import Path

_STATM = Path("/proc/self/statm")


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform.system() == "Darwin" else peak / 1024


def current_rss_mib() -> float | None:
    """Resident set size of this process now (MiB); None where ``/proc/self/statm`` is missing."""
    try:
        resident_pages = int(_STATM.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


class RssSampler:
    """``with RssSampler() as rss: run()``; then ``rss.start_mib`` and ``rss.peak_mib`` (None off Linux)."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self.start_mib: float | None = None
        self.peak_mib: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        now = current_rss_mib()
        if now is not None and (self.peak_mib is None or now > self.peak_mib):
            self.peak_mib = now

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def __enter__(self) -> RssSampler:
        self.start_mib = current_rss_mib()
        self.peak_mib = self.start_mib
        if self.start_mib is not None:
            self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()  # the end of the run counts too
