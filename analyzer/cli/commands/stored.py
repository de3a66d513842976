"""The sessions database as the commands open it: one place that turns a storage error into the
command's one-line message and exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from analyzer.cli.console import err_console
from analyzer.core.errors import AnalyzerError

if TYPE_CHECKING:
    from analyzer.storage import SessionStore


def fail(exc: AnalyzerError) -> typer.Exit:
    """Print ``exc`` as the command's error line; the exit to raise with its code."""
    err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(exc.exit_code)


@contextmanager
def opened_store(db: str | None) -> Iterator[SessionStore]:
    """The store at ``db`` (``--db``, else ``$FLOORSHARE_DB``, else the default file), closed after the
    block; an :class:`AnalyzerError` opening it or inside the block ends the command with its message."""
    from analyzer.storage import SessionStore

    try:
        with SessionStore(db) as store:
            yield store
    except AnalyzerError as exc:
        raise fail(exc) from None
