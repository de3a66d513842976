"""Manifests: $DATA/ and manifest-relative paths, checks with one-line errors, events files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.core.errors import InputFormatError
from analyzer.evaluation.manifest import default_data_root, load_manifest, read_events

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_resolve_against_the_data_root_and_the_manifest(tmp_path):
    data = tmp_path / "data"
    (data / "ami").mkdir(parents=True)
    write(data / "ami" / "a.wav", "x")
    write(tmp_path / "a.rttm", "")
    manifest = write(tmp_path / "m.toml", 'name = "t"\n[[recording]]\naudio = "$DATA/ami/a.wav"\n'
                     'rttm = "a.rttm"\nverdict = "one_to_many"\nspeakers = 1\n')
    loaded = load_manifest(manifest, data_root=data)
    entry = loaded.entries[0]
    assert loaded.name == "t" and entry.id == "a"
    assert entry.audio == data / "ami" / "a.wav" and entry.rttm == (tmp_path / "a.rttm").resolve()
    assert entry.verdict == "one_to_many" and entry.speakers == 1


def test_missing_files_and_unknown_keys_name_the_fix(tmp_path):
    manifest = write(tmp_path / "m.toml", '[[recording]]\naudio = "$DATA/none.wav"\n')
    with pytest.raises(InputFormatError, match=r"m.toml: \[\[recording\]\] 1: audio file .*none.wav not found; "
                                               r"pass --data-root"):
        load_manifest(manifest, data_root=tmp_path)
    write(manifest, '[[recording]]\naudio = "m.toml"\nspeed = 2\n')
    with pytest.raises(InputFormatError, match="unknown key"):
        load_manifest(manifest)
    write(manifest, 'name = "empty"\n')
    with pytest.raises(InputFormatError, match="no \\[\\[recording\\]\\] entries"):
        load_manifest(manifest)
    write(manifest, "[[recording\n")
    with pytest.raises(InputFormatError, match="not a valid TOML manifest"):
        load_manifest(manifest)


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLOORSHARE_DATA_ROOT", str(tmp_path))
    assert default_data_root() == tmp_path
    monkeypatch.delenv("FLOORSHARE_DATA_ROOT")
    assert default_data_root() == ROOT.parent / "shared" / "data"


@pytest.mark.parametrize("name", ["ami", "pyannote-sample", "monologue", "composed"])
def test_shipped_manifests_parse(name):
    shared = default_data_root()
    if name in ("ami", "monologue") and not shared.exists():
        pytest.skip(f"shared data not present at {shared}")
    manifest = load_manifest(ROOT / "eval" / "manifests" / f"{name}.toml")
    assert manifest.entries
    assert all(e.audio is not None or e.scenario is not None for e in manifest.entries)


def test_events_file_round_trip_and_errors(tmp_path):
    events = write(tmp_path / "x.events.json", json.dumps({
        "verdict": "hub_and_spoke", "attendees": ["a", "b", "c"], "backchannels": [{"time": 1}],
        "interruptions": [{"time": 3.5, "interrupter": "b", "interrupted": "a", "type": "silent", "overlap": 0}]}))
    truth = read_events(events)
    assert truth.verdict == "hub_and_spoke" and truth.attendees == ("a", "b", "c") and truth.backchannels == 1
    assert truth.interruptions[0].type == "silent" and truth.interruptions[0].time == 3.5
    write(events, '{"interruptions": [{"time": 1}]}')
    with pytest.raises(InputFormatError, match="not a valid events file"):
        read_events(events)
