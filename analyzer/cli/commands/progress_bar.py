"""A Rich progress display driven by the pipeline's progress hook (CLI side)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from analyzer.cli.console import err_console
from analyzer.core.progress import STAGES, Hook

STAGE_LABELS = {"decode": "decode audio", "diarize": "who spoke when", "prosody": "how people sound",
                "transcribe": "transcribe",
                "align": "words to speakers", "metrics": "balance metrics"}


@contextmanager
def stage_progress(title: str, enabled: bool = True) -> Iterator[Hook]:
    """Yield a hook that shows one bar per pipeline stage under ``title``."""
    progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), TaskProgressColumn(),
                        TimeElapsedColumn(), console=err_console, transient=False,
                        disable=not enabled or not err_console.is_terminal)
    tasks: dict[str, int] = {}

    def hook(stage: str, completed: float, total: float) -> None:
        if stage not in tasks:
            label = f"{title[:14]} · {STAGE_LABELS.get(stage, stage)}"
            tasks[stage] = progress.add_task(label, total=total or None)
        progress.update(tasks[stage], completed=completed, total=total or None)

    with progress:
        yield hook


__all__ = ["stage_progress", "STAGES"]
