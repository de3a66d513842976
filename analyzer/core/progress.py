"""The one progress hook that drives both the CLI's Rich bars and the dashboard.

A hook is any callable ``hook(stage, completed, total)``; stages are the names in
:data:`STAGES`. ``total`` may be 0 when the amount of work is not known yet.
"""

from __future__ import annotations

from typing import Callable

STAGES = ("decode", "diarize", "prosody", "transcribe", "align", "metrics")


Hook = Callable[[str, float, float], None]


def null_hook(stage: str, completed: float, total: float) -> None:
    """A hook that ignores every report."""


class RecordingHook:
    """Remembers the last report of each stage (used by the dashboard and tests)."""

    def __init__(self) -> None:
        self.stages: dict[str, tuple[float, float]] = {}
        self.current: str | None = None

    def __call__(self, stage: str, completed: float, total: float) -> None:
        self.stages[stage] = (completed, total)
        self.current = stage

    def fraction(self) -> float:
        """Overall completion in [0, 1], each stage weighted equally."""
        done = 0.0
        for stage in STAGES:
            completed, total = self.stages.get(stage, (0.0, 0.0))
            if total:
                done += min(1.0, completed / total)
        return done / len(STAGES)
