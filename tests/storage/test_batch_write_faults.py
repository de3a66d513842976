"""A write that fails half-way (a full disk, a dropped database connection) leaves no half-stored
session, and the batch tries the write again with the result it still holds.

The faults are real, injected into the batch's own store: SQLite runs out of pages
(``PRAGMA max_page_count``, the "database or disk is full" error), and PostgreSQL loses the
connection in the middle of the transaction (``pg_terminate_backend`` of that very backend,
after the session row went in and before its speakers did).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

import analyzer.batch.runner as runner_module
from analyzer.batch.discovery import discover
from analyzer.batch.ledger import FailureLedger
from analyzer.batch.report import FAILED, OK
from analyzer.batch.runner import BatchOptions, BatchRunner
from analyzer.core.config import AnalysisConfig
from analyzer.storage import SessionStore
from tests.conftest import write_tone_wav
from tests.unit.test_batch import InlineEngine

TABLES = ("sessions", "session_speakers", "diarization_segments", "transcript_segments", "words", "turns",
          "interruptions", "directive_hits")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(runner_module, "STORE_RETRY_DELAYS_S", (0.05, 0.05))


def inject_fault(store: SessionStore, times: int, monkeypatch) -> list[str]:
    """Break the next ``times`` session writes half-way; returns the faults as they happen.

    The fault strikes at the first speaker row, after the session row went in.
    """
    happened: list[str] = []

    def striking(statement: str) -> bool:
        return statement.lstrip().upper().startswith("INSERT INTO SESSION_SPEAKERS") and len(happened) < times

    if store.engine.url.get_backend_name() == "sqlite":  # the driver reports a full disk, as SQLite does
        import sqlite3

        dialect = store.engine.dialect
        for name in ("do_execute", "do_executemany"):
            original = getattr(dialect, name)

            def failing(cursor, statement, parameters, context=None, _original=original):  # noqa: ANN001
                if striking(statement):
                    happened.append("disk full")
                    raise sqlite3.OperationalError("database or disk is full")
                return _original(cursor, statement, parameters, context)

            monkeypatch.setattr(dialect, name, failing)
        return happened
    killer = create_engine(store.engine.url, isolation_level="AUTOCOMMIT")

    @event.listens_for(store.engine, "before_cursor_execute")
    def drop_connection(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if striking(statement):  # the server ends this transaction's own backend, as a crash or a restart would
            happened.append("connection dropped")
            pid = conn.connection.dbapi_connection.info.backend_pid
            with killer.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return happened


def counts(store: SessionStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in TABLES}


def run_batch(store: SessionStore, folder: Path, tmp_path: Path):
    runner = BatchRunner(store, FailureLedger(tmp_path / "failures.json"), AnalysisConfig(), BatchOptions())
    return runner.run(runner.plan(discover([folder])), InlineEngine())


def test_a_write_that_fails_once_is_retried_and_stored_exactly_once(store, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(2):
        write_tone_wav(folder / f"m{index}.wav", 2.0, freq=200 + 90 * index)
    happened = inject_fault(store, 1, monkeypatch)
    report = run_batch(store, folder, tmp_path)
    assert happened, "the fault was not injected"
    assert [f.status for f in report.files] == [OK, OK]
    first = report.files[0]
    assert len(first.retries) == 1 and first.retries[0].startswith("storing failed (")
    assert report.to_dict()["retried"] == 1
    sessions = store.list_sessions()
    assert sorted(s.sha256 for s in sessions) == sorted(f.sha256 for f in report.files)  # once each
    assert counts(store)["session_speakers"] == 2 * len(sessions)  # the fake diarizer's two speakers, once


def test_a_write_that_keeps_failing_leaves_nothing_half_stored_and_a_rerun_stores_it(store, tmp_path,
                                                                                     monkeypatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_tone_wav(folder / "only.wav", 2.0)
    happened = inject_fault(store, len(runner_module.STORE_RETRY_DELAYS_S) + 1, monkeypatch)
    report = run_batch(store, folder, tmp_path)
    assert len(happened) == 3
    assert report.files[0].status == FAILED and "database operation failed" in report.files[0].error
    assert counts(store) == dict.fromkeys(TABLES, 0)  # every attempt was rolled back whole
    rerun = run_batch(store, folder, tmp_path)  # not remembered as a bad file: the rerun analyses it
    assert rerun.files[0].status == OK and len(store.list_sessions()) == 1
