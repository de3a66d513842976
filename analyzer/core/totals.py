"""The one rule for totals over a person's per-category counts (directives)."""

from __future__ import annotations

from typing import Any


def directive_total(directives: dict[str, Any]) -> int:
    """The number of directives in a SpeakerStats ``directives`` mapping (``total``, else the sum of counts)."""
    if isinstance(directives.get("total"), (int, float)):
        return int(directives["total"])
    return int(sum(v for v in directives.values() if isinstance(v, (int, float)) and not isinstance(v, bool)))
