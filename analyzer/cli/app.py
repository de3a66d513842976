"""The ``floorshare`` command line: parses options, calls the library, renders results.

No analysis logic lives here. Each command group is a module in
:mod:`analyzer.cli.commands` exposing ``register(app)``. Exit codes: 0 success,
1 an input or operation failed, 2 usage or configuration error.
"""

from __future__ import annotations

import importlib
import sys

import typer

from analyzer import __version__
from analyzer.cli.console import err_console
from analyzer.core.errors import AnalyzerError

COMMAND_MODULES = (
    "analyzer.cli.commands.analyze",
    "analyzer.cli.commands.models",
    "analyzer.cli.commands.directives",
    "analyzer.cli.commands.evaluate",
    "analyzer.cli.commands.bench",
    "analyzer.cli.commands.sessions",
    "analyzer.cli.commands.speakers",  # after sessions: adds to its `speakers` group
    "analyzer.cli.commands.goals",
    "analyzer.cli.commands.batch",
    "analyzer.cli.commands.dashboard",
    "analyzer.cli.commands.metrics",
)

app = typer.Typer(
    name="floorshare",
    help="Measure how a meeting shares the floor: speaking time, turns, interruptions, "
         "directives, and whether it ran one-to-many or many-to-many. Everything runs locally.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"floorshare {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Floorshare command line."""


def build_app() -> typer.Typer:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    build_app()
    try:
        app(standalone_mode=True)
    except AnalyzerError as exc:  # raised outside a command's own handling
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted; finished results are kept")
        sys.exit(130)
