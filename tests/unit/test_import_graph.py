"""The layers of the code base, kept by a test: no import runs upward and no circle.

Pure: the imports are read with :mod:`ast`, nothing is imported. Every import counts, also
the ones inside functions, because a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import its own package and any package of a lower layer;
# two different packages on one layer must not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("analyzer.core",),
    ("analyzer.directives", "analyzer.metrics", "analyzer.adapters", "analyzer.voices"),
    ("analyzer.formats", "analyzer.storage"),
    ("analyzer.pipeline", "analyzer.compose"),
    ("analyzer.evaluation", "analyzer.batch"),
    ("dashboard",),
    ("analyzer.cli",),
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
# The only modules that may import pyannote / faster-whisper / PyAV / librosa.
ML_IMPORTERS = {
    "pyannote.audio": {"analyzer.adapters.diarize"},
    "faster_whisper": {"analyzer.adapters.transcribe"},
    "av": {"analyzer.adapters.audio"},
    "librosa": {"analyzer.adapters.voice"},
}
PURE = ("analyzer.core", "analyzer.metrics", "analyzer.directives")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [*ROOT.glob("analyzer/**/*.py"), *ROOT.glob("dashboard/**/*.py")]
    return {_module_name(p): p for p in files if "migrations/versions" not in p.as_posix()}


def _imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Every module of ours and every top-level third-party name that ``path`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from analyzer.batch import runner`` names a submodule
            found.update(f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in modules)
    return found


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    sources = _sources()
    modules = set(sources)
    ours: dict[str, set[str]] = {}
    third: dict[str, set[str]] = {}
    for name, path in sources.items():
        targets = _imports(name, path, modules)
        ours[name] = {t for t in targets if t in modules and t != name}
        third[name] = {t for t in targets if t.split(".")[0] not in ("analyzer", "dashboard")}
    return ours, third


def _package(module: str) -> str | None:
    for package in sorted(RANK, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def test_every_module_belongs_to_a_layer():
    loose = [m for m in _sources() if _package(m) is None and m not in ("analyzer", "analyzer.__main__")]
    assert loose == [], f"modules outside the layers (move them into a package): {loose}"


def test_no_import_runs_upward_or_sideways():
    ours, _ = _graph()
    bad = []
    for module, targets in ours.items():
        source = _package(module)
        for target in targets:
            if target == "analyzer":
                continue  # the root holds only __version__ and the lazy public API
            dest = _package(target)
            if source is None or dest is None or dest == source:
                continue
            if RANK[dest] >= RANK[source]:
                bad.append(f"{module} -> {target}")
    assert bad == [], "imports that run upward or across one layer:\n" + "\n".join(sorted(bad))


def test_no_import_circle():
    ours, _ = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        for nxt in ours.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for node in sorted(ours):
        if node not in index:
            visit(node)
    assert circles == [], f"modules that import each other: {circles}"


def test_the_root_package_imports_nothing_eagerly():
    tree = ast.parse((ROOT / "analyzer" / "__init__.py").read_text(encoding="utf-8"))
    eager = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
             and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")]
    assert eager == [], "analyzer/__init__.py must import its public API lazily (no torch on import analyzer)"


def test_ml_libraries_have_one_importer_and_the_core_is_pure():
    _, third = _graph()
    for library, allowed in ML_IMPORTERS.items():
        importers = {m for m, names in third.items()
                     if any(n == library or n.startswith(library + ".") for n in names)}
        assert importers <= allowed, f"{library} imported outside {sorted(allowed)}: {sorted(importers - allowed)}"
    impure = {m: sorted({n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"__future__"})
              for m, names in third.items() if m.startswith(PURE)}
    assert {m: n for m, n in impure.items() if n} == {}, "the pure core imports a third-party library"


def test_the_public_api_loads_without_torch():
    import subprocess

    code = ("import sys, analyzer\n"
            "for name in analyzer.__all__: getattr(analyzer, name)\n"
            "heavy = sorted(m for m in ('torch', 'pyannote.audio', 'faster_whisper') if m in sys.modules)\n"
            "assert not heavy, heavy\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
