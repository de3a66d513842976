"""A session's agreements as the CLI prints them (``sessions show``, ``analyze``) and as ``--json`` has them."""

from __future__ import annotations

from analyzer.cli.console import console
from analyzer.metrics import agreements as ag
from analyzer.metrics.agreement_words import agreement_lines, summary_line


def agreements_dict(agreements: ag.SessionAgreements, name=None) -> dict:  # noqa: ANN001 - label -> name
    """What ``sessions show --json`` prints under ``agreements``."""
    lines = agreement_lines(agreements, name)
    return {
        "summary": summary_line(agreements),
        "version": agreements.version.version if agreements.version else None,
        "valid_from": agreements.version.valid_from if agreements.version else None,
        "previous_session": agreements.previous_session_id,
        "goals": [{"kind": c.goal.kind, "target": c.goal.target, "measured": c.measured, "kept": c.kept,
                   "margin": c.margin, "who": c.who, "text": goal, "result": check, "since_last": moved}
                  for c, (goal, check, moved) in zip(agreements.checks, lines)],
    }


def print_agreements(agreements: ag.SessionAgreements, name=None) -> None:  # noqa: ANN001 - label -> name
    """The agreements block of the CLI summaries: kept or not, by how much, and what moved."""
    console.print(f"agreements: {summary_line(agreements)}", highlight=False)
    for check, (goal, result, moved) in zip(agreements.checks, agreement_lines(agreements, name)):
        mark = "[green]✓[/green]" if check.kept else ("[red]✗[/red]" if check.kept is False else "-")
        console.print(f"  {mark} {goal}: {result}", highlight=False)
        if moved:
            console.print(f"      {moved}", highlight=False)
