"""Evaluation manifests (TOML) and composed-meeting events files.

A manifest lists recordings with their references::

    name = "ami"
    [[recording]]
    id = "tst00"
    audio = "$DATA/ami/tst00.wav"      # $DATA/ = the data root (--data-root)
    rttm = "$DATA/ami/tst00.rttm"      # who spoke when (optional)
    uem = "$DATA/x.uem"                # scored regions (optional; default: the whole file)
    transcript = "$DATA/x.stm"         # STM or plain text (optional), transcript_select = "id part"
    events = "x.events.json"           # interruptions, verdict, attendees (optional)
    scenario = "../scenarios/x.toml"   # composed on the fly: gives audio, rttm and events
    verdict = "many_to_many"           # expected verdict (optional)
    speakers = 1                       # expected number of speakers when there is no RTTM
    attendees = 6                      # people present, silent ones included (optional)
    raised_voices = 0                  # known number of raised-voice moments (optional; 0 for monologues)

Paths without ``$DATA/`` are relative to the manifest file. The data root defaults to
``$FLOORSHARE_DATA_ROOT`` or ``../shared/data`` next to this repository.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.core.errors import InputFormatError
from analyzer.core.schema import Interruption
from analyzer.evaluation.raised import LevelTruth

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_PREFIX = "$DATA/"
_PATH_KEYS = ("audio", "rttm", "uem", "transcript", "events", "scenario")
_KEYS = set(_PATH_KEYS) | {"id", "uri", "transcript_select", "verdict", "speakers", "attendees", "num_speakers",
                           "raised_voices"}


def default_data_root() -> Path:
    """``$FLOORSHARE_DATA_ROOT``, else ``<repo>/../shared/data``."""
    env = os.environ.get("FLOORSHARE_DATA_ROOT")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data")


@dataclass(frozen=True, slots=True)
class Truth:
    """What a composed meeting's events file says happened."""

    verdict: str | None
    attendees: tuple[str, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: int = 0
    level_changes: tuple[LevelTruth, ...] | None = None  # None: an events file from before gain_db


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One recording to evaluate and its references (paths already resolved)."""

    id: str
    audio: Path | None
    rttm: Path | None = None
    uri: str | None = None
    uem: Path | None = None
    transcript: Path | None = None
    transcript_select: str | None = None
    events: Path | None = None
    scenario: Path | None = None
    verdict: str | None = None
    speakers: int | None = None
    attendees: int | None = None
    num_speakers: int | None = None
    raised_voices: int | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """A named list of recordings."""

    name: str
    path: Path
    entries: tuple[ManifestEntry, ...]
    description: str = ""


def load_manifest(path: str | Path, data_root: Path | None = None) -> Manifest:
    """Read and check a manifest; every referenced file must exist.

    Raises:
        InputFormatError: unreadable TOML, unknown keys, or a missing file (the message
            names the manifest, the recording and the fix).
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFormatError(f"{file}: manifest not found; check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputFormatError(f"{file}: not a valid TOML manifest ({exc}); fix the file") from None
    root = data_root or default_data_root()
    records = data.get("recording", [])
    if not records:
        raise InputFormatError(f"{file}: no [[recording]] entries; list at least one recording")
    entries = tuple(_entry(file, index, raw, root) for index, raw in enumerate(records, start=1))
    return Manifest(name=str(data.get("name", file.stem)), path=file, entries=entries,
                    description=str(data.get("description", "")))


def _entry(file: Path, index: int, raw: dict[str, Any], root: Path) -> ManifestEntry:
    where = f"{file}: [[recording]] {index}"
    unknown = set(raw) - _KEYS
    if unknown:
        raise InputFormatError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(sorted(_KEYS))}")
    if "audio" not in raw and "scenario" not in raw:
        raise InputFormatError(f"{where}: give audio = \"...\" or scenario = \"...\"")
    paths = {key: _resolve(file, str(raw[key]), root, where, key) for key in _PATH_KEYS if key in raw}
    ident = str(raw.get("id") or Path(str(raw.get("audio") or raw.get("scenario"))).stem)
    ints = {key: int(raw[key]) for key in ("speakers", "attendees", "num_speakers", "raised_voices") if key in raw}
    return ManifestEntry(id=ident, uri=raw.get("uri"), transcript_select=raw.get("transcript_select"),
                         verdict=raw.get("verdict"), audio=paths.get("audio"),
                         **{k: v for k, v in paths.items() if k != "audio"}, **ints)


def _resolve(file: Path, value: str, root: Path, where: str, key: str) -> Path:
    if value.startswith(DATA_PREFIX):
        path = root / value[len(DATA_PREFIX):]
        fix = f"pass --data-root (now {root}) or set FLOORSHARE_DATA_ROOT"
    else:
        path = (file.parent / value).resolve()
        fix = "fix the path (relative to the manifest)"
    if not path.exists():
        raise InputFormatError(f"{where}: {key} file {path} not found; {fix}")
    return path


def with_composed(entry: ManifestEntry, audio: Path, rttm: Path, events: Path) -> ManifestEntry:
    """The entry after its scenario was composed into files."""
    return replace(entry, audio=audio, rttm=rttm, events=events, uri=entry.uri or audio.stem)


def read_events(path: str | Path) -> Truth:
    """Read a composed meeting's ``.events.json`` (see :func:`analyzer.compose.meeting_events`)."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        interruptions = tuple(Interruption(float(i["time"]), str(i["interrupter"]), str(i["interrupted"]),
                                           str(i["type"]), float(i.get("overlap", 0.0)))
                              for i in data.get("interruptions", []))
        levels = None if "level_changes" not in data else tuple(
            LevelTruth(str(c["speaker"]), float(c["start"]), float(c["end"]), float(c["gain_db"]))
            for c in data["level_changes"])
    except FileNotFoundError:
        raise InputFormatError(f"{file}: events file not found; check the path") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFormatError(f"{file}: not a valid events file ({exc}); recreate it with "
                               "`floorshare compose`") from None
    return Truth(verdict=data.get("verdict"), attendees=tuple(data.get("attendees", [])),
                 interruptions=interruptions, backchannels=len(data.get("backchannels", [])), level_changes=levels)
