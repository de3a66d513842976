"""The README's "Where things live" map matches the tree: every package is listed, every path exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Where things live")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_every_listed_path_exists():
    listed = re.findall(r"^\| `([^`]+)` \|", _section(), flags=re.MULTILINE)
    assert listed, "the map lists no packages"
    assert [p for p in listed if not (ROOT / p).exists()] == []


def test_every_package_is_listed():
    listed = set(re.findall(r"^\| `([^`]+)` \|", _section(), flags=re.MULTILINE))
    packages = {f"{p.parent.relative_to(ROOT).as_posix()}/" for p in ROOT.glob("analyzer/*/__init__.py")}
    packages.add("dashboard/")
    assert packages - listed == set(), "packages missing from the README map"
