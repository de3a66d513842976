"""Sessions and result.json files written by the schema-1 code are read by today's typed code.

The fixtures in tests/data/schema1 were written by the code of commit 4e171fd (see
make_schema1.py there): the rows its SessionStore stored for one led meeting, and its result.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import MetaData, insert, text

from analyzer.core.schema import (
    SCHEMA_VERSION, DirectiveSummary, InterruptionCounts, InterruptionType, VerdictLabel, WindowLabel,
)
from analyzer.formats.serialize import result_from_dict, result_to_dict
from analyzer.storage import SessionStore
from analyzer.storage.engine import current_revision, head_revision, make_engine, upgrade

DATA = Path(__file__).resolve().parents[1] / "data" / "schema1"


def _old_database(db_url: str) -> None:
    """A database at revision 0002 holding exactly the rows the schema-1 code stored."""
    rows = json.loads((DATA / "session_rows.json").read_text(encoding="utf-8"))
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        old = MetaData()
        old.reflect(conn)  # the tables as revision 0002 made them (today's models have more columns)
        for table in old.sorted_tables:
            if rows.get(table.name) and table.name != "alembic_version":
                conn.execute(insert(table), rows[table.name])
        if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in old.sorted_tables:
                if "id" in table.c and rows.get(table.name):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"(SELECT max(id) FROM {table.name}))"))
    engine.dispose()


def test_a_session_stored_by_schema_1_is_migrated_and_read_typed(db_url):
    _old_database(db_url)
    old = json.loads((DATA / "result.json").read_text(encoding="utf-8"))
    with SessionStore(db_url) as store:
        assert current_revision(store.engine) == head_revision()  # 0006_typed_results or a later head
        (summary,) = store.list_sessions("team")
        result = store.load(summary.id)
    assert result.schema_version == SCHEMA_VERSION == 2
    assert result.speaker_names == {"SPEAKER_00": "Ana"}
    metrics = result.metrics
    assert metrics.verdict.label is VerdictLabel.ONE_TO_MANY and old["verdict"]["label"] == "one_to_many"
    assert all(isinstance(w.label, WindowLabel) for w in metrics.timeline) and metrics.timeline
    assert all(isinstance(i.type, InterruptionType) for i in metrics.interruptions) and metrics.interruptions
    by_label = {s["label"]: s for s in old["speakers"]}
    for stats in metrics.speakers:
        assert isinstance(stats.directives, DirectiveSummary)
        assert isinstance(stats.interruptions_made, InterruptionCounts)
        assert stats.directives.total == by_label[stats.speaker]["directives"]["total"]
        assert stats.interruptions_made.as_dict() == by_label[stats.speaker]["interruptions_made"]
        assert stats.interruptions_received.total == sum(by_label[stats.speaker]["interruptions_received"].values())
    assert sum(s.directives.total for s in metrics.speakers) == len(result.directives) == 4


def test_the_migration_goes_down_and_up_again(db_url):
    from alembic import command

    from analyzer.storage.engine import alembic_config

    _old_database(db_url)
    engine = make_engine(db_url)
    upgrade(engine)
    config = alembic_config(db_url)
    config.attributes["engine"] = engine
    command.downgrade(config, "0002")
    assert current_revision(engine) == "0002"
    engine.dispose()
    with SessionStore(db_url) as store:
        (summary,) = store.list_sessions("team")
        assert store.load(summary.id).schema_version == 2


def test_a_schema_1_result_json_is_read_typed_and_written_back_unchanged():
    old = json.loads((DATA / "result.json").read_text(encoding="utf-8"))
    assert old["schema_version"] == 1
    result = result_from_dict(old)
    assert isinstance(result.metrics.speakers[0].directives, DirectiveSummary)
    assert result.metrics.verdict.label is VerdictLabel.ONE_TO_MANY
    # every key schema 1 wrote is written back unchanged (later features only add keys)
    assert _restricted(result_to_dict(result), old) == old


def _restricted(value, like):
    """``value`` with only the keys ``like`` has, recursively (lists of mappings item by item)."""
    if isinstance(like, dict) and isinstance(value, dict):
        return {k: _restricted(value[k], like[k]) for k in like if k in value}
    if isinstance(like, list) and isinstance(value, list) and len(like) == len(value):
        return [_restricted(v, w) for v, w in zip(value, like)]
    return value
