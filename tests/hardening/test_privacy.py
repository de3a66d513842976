"""Private by default: owner-only folders, no audio kept unless asked, deletion removes everything."""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.adapters.privacy import ensure_private_dir, ensure_private_file, is_private
from analyzer.core.errors import StorageError
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)  # the usual default: new folders 0755, new files 0644
    yield
    os.umask(previous)


def test_private_dir_is_created_owner_only(tmp_path: Path, open_umask) -> None:
    folder = ensure_private_dir(tmp_path / "a" / "b" / "data")
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700 and mode(tmp_path / "a") == 0o700
    assert is_private(folder)


def test_existing_open_dir_is_tightened(tmp_path: Path, open_umask) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o777)
    folder.chmod(0o755)
    ensure_private_dir(folder)
    assert mode(folder) == 0o700


def test_private_dir_on_a_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(StorageError, match="not a folder"):
        ensure_private_dir(tmp_path / "taken")
    with pytest.raises(StorageError, match="cannot create a private data folder"):
        ensure_private_dir(tmp_path / "taken" / "below")


def test_private_file(tmp_path: Path, open_umask) -> None:
    file = tmp_path / "db.sqlite"
    file.write_text("x")
    assert mode(file) == 0o644
    assert mode(ensure_private_file(file)) == 0o600


def test_default_data_dir_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    from analyzer.storage.engine import data_dir, default_db_url

    monkeypatch.delenv("FLOORSHARE_DB", raising=False)
    folder = data_dir()
    assert folder.is_relative_to(tmp_path) and mode(folder) == 0o700
    assert default_db_url().endswith(str(folder / "floorshare.db"))


def make_result(tmp_path: Path, name: str = "meeting.wav"):
    from analyzer.core.config import AnalysisConfig
    from analyzer.pipeline.analysis import Analyzer

    words = words_from_script([(0.1, 0.9, "hello there everyone"), (1.0, 1.9, "yes indeed")])
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words),
                        FakeDiarizer([seg(0.0, 0.95, "SPEAKER_00"), seg(1.0, 2.0, "SPEAKER_01")]))
    return analyzer.analyze_file(write_tone_wav(tmp_path / name, 2.0))


def test_audio_is_not_kept_unless_asked(tmp_path: Path, open_umask) -> None:
    from analyzer.storage import SessionStore

    (tmp_path / "db").mkdir()
    with SessionStore(str(tmp_path / "db" / "s.db")) as store:
        result = make_result(tmp_path)
        store.save(result)
        audio_files = [p for p in tmp_path.joinpath("db").rglob("*") if p.suffix == ".wav"]
        assert audio_files == []
        kept = replace(result, recording=replace(result.recording, sha256="f" * 64))
        session_id = store.save(kept, keep_audio=True)
        copies = [p for p in tmp_path.joinpath("db").rglob("*.wav")]
        assert len(copies) == 1 and mode(copies[0].parent) == 0o700
        store.delete_session(session_id)
        assert not copies[0].exists()


def session_rows(db: Path) -> dict[str, int]:
    """Row counts of every table that refers to a session."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]
            if "session_id" in columns or table == "sessions":
                counts[table] = conn.execute(f"SELECT count(*) FROM '{table}'").fetchone()[0]
        return counts


def test_deleting_a_group_removes_everything_derived(tmp_path: Path) -> None:
    from analyzer.storage import SessionStore

    db = tmp_path / "s.db"
    result = make_result(tmp_path)
    with SessionStore(str(db)) as store:
        for n in range(2):
            named = replace(result, recording=replace(result.recording, sha256=f"{n:064x}"),
                            speaker_names={"SPEAKER_00": "Ana"})
            store.save(named, group="team", keep_audio=True)
        store.save(replace(result, recording=replace(result.recording, sha256="e" * 64)), group="other")
        assert sum(session_rows(db).values()) > 3
        store.delete_group("team")
        assert store.list_groups() == ["other"]
        assert [s.group for s in store.list_sessions()] == ["other"]
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 0
    after = session_rows(db)
    assert after["sessions"] == 1
    assert not list(tmp_path.rglob("0000*.wav"))


def test_analyze_writes_no_audio_and_stores_none(tmp_path: Path, fake_models) -> None:
    from typer.testing import CliRunner

    from analyzer.cli.app import build_app

    wav = write_tone_wav(tmp_path / "in.wav", 2.0)
    out, db = tmp_path / "out", tmp_path / "store" / "s.db"
    db.parent.mkdir()
    result = CliRunner().invoke(build_app(), ["analyze", str(wav), "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "in").iterdir()) == ["diarization.rttm", "result.json", "transcript.txt"]
    stored = [p for p in db.parent.rglob("*") if p.is_file() and not p.name.startswith("s.db")]
    assert stored == []
