"""Migrations (from empty, from the first revision, down and up) and concurrent writer processes."""

from __future__ import annotations

import multiprocessing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from session_builders import insert_with_old_schema, make_result, save_many
from sqlalchemy import inspect

from analyzer.storage import SessionStore
from analyzer.storage.engine import current_revision, head_revision, make_engine, migrations_dir, upgrade
from analyzer.storage.models import Base

WORKERS, PER_WORKER = 4, 5


def test_migrations_ship_inside_the_package():
    assert (migrations_dir() / "env.py").is_file()
    assert sorted(p.name for p in (migrations_dir() / "versions").glob("0*.py")) == [
        "0001_initial.py", "0002_session_group_date_index.py", "0003_voiceprints.py", "0004_meeting_date_source.py",
        "0005_group_goals.py", "0006_typed_results.py", "0007_speaker_confidence.py"]


def test_upgrade_from_empty_matches_the_models(db_url):
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0007_speaker_confidence"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    engine.dispose()


def test_upgrade_from_the_first_revision_keeps_data(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "ix_sessions_group_recorded" not in {i["name"] for i in inspect(engine).get_indexes("sessions")}
    result = make_result("old", speaker_names={"SPEAKER_01": "Ben"})
    insert_with_old_schema(engine, result)  # a session written by the first schema
    engine.dispose()
    with SessionStore(db_url) as store:  # opening upgrades to head
        assert current_revision(store.engine) == head_revision()
        assert "ix_sessions_group_recorded" in {i["name"] for i in inspect(store.engine).get_indexes("sessions")}
        (summary,) = store.list_sessions("team")
        assert store.load(summary.id) == make_result("old")  # names were not linked by the raw insert
        store.rename_speaker(summary.id, "SPEAKER_01", "Ben")
        assert store.load(summary.id) == result


def test_downgrade_to_base_and_up_again(db_url):
    from alembic import command

    from analyzer.storage.engine import alembic_config

    engine = make_engine(db_url)
    upgrade(engine)
    config = alembic_config(db_url)
    config.attributes["engine"] = engine
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_upgrade_from_before_date_sources_keeps_sessions_and_their_dates(db_url):
    from sqlalchemy import text

    engine = make_engine(db_url)
    upgrade(engine, "0003_voiceprints")
    assert "date_source" not in {c["name"] for c in inspect(engine).get_columns("sessions")}
    with engine.begin() as conn:  # a session row as the schema before date sources stored it
        conn.execute(text("INSERT INTO groups (name, created_at) VALUES ('team', '2026-01-01T00:00:00+00:00')"))
        conn.execute(text(
            "INSERT INTO sessions (group_id, title, recorded_at, created_at, version, path, sha256, duration, "
            "sample_rate, channels, config_hash, config, provenance, schema_version, language, "
            "language_probability, diarization_speakers) SELECT id, 'old', '2026-01-05T09:00:00+00:00', "
            "'2026-01-06T00:00:00+00:00', 1, 'old.wav', :sha, 10.0, 16000, 1, :hash, '{}', '{}', 1, 'en', 1.0, "
            "'[]' FROM groups"), {"sha": "b" * 64, "hash": "c" * 16})
    engine.dispose()
    with SessionStore(db_url) as store:
        assert current_revision(store.engine) == head_revision()
        (summary,) = store.list_sessions("team")
        assert (summary.recorded_at, summary.date_source) == ("2026-01-05T09:00:00+00:00", None)
        updated = store.update_session(summary.id, recorded_at="2026-01-04T00:00:00+00:00", title="renamed")
        assert (updated.recorded_at, updated.date_source, updated.title) == (
            "2026-01-04T00:00:00+00:00", "given", "renamed")


def test_downgrading_the_date_and_agreement_revisions_keeps_every_session_row(db_url):
    from alembic import command
    from sqlalchemy import text

    from analyzer.storage.engine import alembic_config

    with SessionStore(db_url) as store:
        store.save(make_result("kept"), group="team", recorded_at="2026-01-05T09:00:00+00:00")
        store.set_goals("team", [], valid_from="2026-01-01")
        engine = store.engine
        count = "SELECT (SELECT count(*) FROM session_speakers) + (SELECT count(*) FROM words)"
        with engine.connect() as conn:
            before = conn.execute(text(count)).scalar()
        config = alembic_config(db_url)
        config.attributes["engine"] = engine
        command.downgrade(config, "0003_voiceprints")  # no table is rebuilt, so no cascade deletes rows
        with engine.connect() as conn:
            assert conn.execute(text(count)).scalar() == before > 0
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert [s.title for s in store.list_sessions()] == ["kept"]


def test_upgrade_from_0006_keeps_sessions_and_then_stores_speaker_confidence(db_url):
    from alembic import command
    from dataclasses import replace

    from analyzer.core.schema import SpeakerConfidence
    from analyzer.storage.engine import alembic_config

    with SessionStore(db_url) as store:
        first = store.save(make_result("before"), group="team")
        engine = store.engine
        config = alembic_config(db_url)
        config.attributes["engine"] = engine
        command.downgrade(config, "0006_typed_results")  # the schema before speaker confidence, with a session
        assert "confidence" not in {c["name"] for c in inspect(engine).get_columns("session_speakers")}
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        old = store.load(first)
        assert old == make_result("before") and old.diarization.confidence == ()
        labels = old.diarization.speakers
        sure = SpeakerConfidence(labels[0], 0.91, 40, labels[1], 0.12, 0.7)
        doubt = SpeakerConfidence(labels[1], 0.35, 6, labels[0], 0.66, None, same_as=labels[0])
        new = replace(make_result("after"), diarization=replace(old.diarization, confidence=(sure, doubt)))
        assert store.load(store.save(new, group="team")).diarization.confidence == (sure, doubt)


def test_concurrent_worker_processes_lose_nothing(db_url):
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS) as pool:  # a fresh database: the workers also race to migrate it
        results = pool.starmap(save_many, [(db_url, w, PER_WORKER) for w in range(WORKERS)])
    shared = {ids[-1] for ids in results}
    assert len(shared) == 1  # the same recording + config saved by every worker is stored once
    own = [i for ids in results for i in ids[:-1]]
    assert len(set(own)) == WORKERS * PER_WORKER
    with SessionStore(db_url) as store:
        sessions = store.list_sessions("team")
        assert len(sessions) == WORKERS * PER_WORKER + 1
        assert {s.id for s in sessions} == set(own) | shared
        assert store.people("team") == ["Ana"]
        for session_id in own[:: PER_WORKER]:
            assert store.load(session_id).speaker_names == {"SPEAKER_00": "Ana"}
        assert store.load(own[1]) == make_result("worker0-1")


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    with SessionStore(str(tmp_path / "fs.db")) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_default_database_lives_in_a_private_user_data_dir(tmp_path, monkeypatch):
    from analyzer.storage import default_db_url

    monkeypatch.delenv("FLOORSHARE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = default_db_url()
    assert url == f"sqlite:///{tmp_path / 'data' / 'floorshare' / 'floorshare.db'}"
    assert (tmp_path / "data" / "floorshare").stat().st_mode & 0o777 == 0o700
    with SessionStore() as store:
        store.create_group("x")
    assert (tmp_path / "data" / "floorshare" / "floorshare.db").is_file()
    monkeypatch.setenv("FLOORSHARE_DB", str(tmp_path / "env.db"))
    assert default_db_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert SessionStore().url == f"sqlite:///{tmp_path / 'env.db'}"
