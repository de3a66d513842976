"""A process killed with SIGKILL while writing sessions leaves a consistent SQLite database.

A child process stores session after session (each save is one transaction) and logs
``begin N`` / ``done N`` around every save. The parent kills it with SIGKILL while a
save is in flight, several times over the same database. Afterwards SQLite's
``integrity_check`` and ``foreign_key_check`` pass, every session logged ``done`` loads
back complete, and a session whose save was cut short is either absent or complete.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHILD = r'''
import sys
from dataclasses import replace
from pathlib import Path
from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.analysis import Analyzer
from analyzer.storage import SessionStore
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav

db, log_path, start = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
script = [(i * 2.0, i * 2.0 + 1.8, " ".join(f"word{i}_{k}" for k in range(6))) for i in range(300)]
segments = [seg(i * 2.0, i * 2.0 + 1.9, f"SPEAKER_0{i % 3}") for i in range(300)]
analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words_from_script(script)), FakeDiarizer(segments))
wav = write_tone_wav(Path(log_path.parent / "tone.wav"), 2.0)
result = analyzer.analyze_file(wav)
store = SessionStore(db)
with log_path.open("a") as log:
    for n in range(start, start + 10_000):
        recording = replace(result.recording, sha256=f"{n:064x}", path=f"/meetings/m{n}.wav")
        log.write(f"begin {n}\n"); log.flush()
        session_id = store.save(replace(result, recording=recording), group=f"g{n % 3}")
        log.write(f"done {n} {session_id}\n"); log.flush(); import os; os.fsync(log.fileno())
'''

KILLS = 4


def log_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def kill_mid_write(tmp: Path, db: Path, log: Path, start: int, min_done: int) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(log), str(start)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            lines = log_lines(log)
            done = sum(line.startswith(f"done ") and int(line.split()[1]) >= start for line in lines)
            if done >= min_done and lines and lines[-1].startswith("begin"):
                time.sleep(0.01)  # inside the save's transaction, most of the time
                break
            if proc.poll() is not None:
                pytest.fail(f"writer exited early: {proc.stderr.read()[-2000:]}")
            time.sleep(0.005)
        else:
            pytest.fail("writer made no progress")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def killed_database(tmp_path_factory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("crash")
    db, log = tmp / "sessions.db", tmp / "writes.log"
    for round_ in range(KILLS):
        kill_mid_write(tmp, db, log, start=round_ * 10_000, min_done=2 + round_)
    return db, log_lines(log)


def test_integrity_check_passes_after_kills(killed_database) -> None:
    db, _ = killed_database
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_every_completed_session_is_intact(killed_database) -> None:
    from analyzer.storage import SessionStore

    db, lines = killed_database
    done = {int(line.split()[1]): int(line.split()[2]) for line in lines if line.startswith("done")}
    assert len(done) >= sum(2 + r for r in range(KILLS))
    with SessionStore(str(db)) as store:
        summaries = {s.sha256: s for s in store.list_sessions()}
        for n, session_id in done.items():
            assert f"{n:064x}" in summaries, n
            result = store.load(session_id)
            assert result.recording.sha256 == f"{n:064x}"
            assert len(result.words) == 1800 and len(result.diarization.segments) == 300
            assert result.metrics is not None and len(result.metrics.speakers) == 3


def test_interrupted_saves_are_absent_or_complete(killed_database) -> None:
    from analyzer.storage import SessionStore

    db, lines = killed_database
    begun = {int(line.split()[1]) for line in lines if line.startswith("begin")}
    finished = {int(line.split()[1]) for line in lines if line.startswith("done")}
    interrupted = begun - finished
    assert len(interrupted) == KILLS
    with SessionStore(str(db)) as store:
        stored = {s.sha256: s.id for s in store.list_sessions()}
        assert len(stored) <= len(finished) + KILLS
        for n in interrupted:  # the kill may land after COMMIT but before "done" was logged
            if f"{n:064x}" in stored:
                assert len(store.load(stored[f"{n:064x}"]).words) == 1800
