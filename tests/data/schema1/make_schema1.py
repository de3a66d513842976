"""How the schema-1 fixtures here were made: run once with the code of commit 4e171fd (schema 1).

``result.json`` is what that code wrote for a led meeting (fake models, real metrics);
``session_rows.json`` is every database row its SessionStore wrote for the same session.
tests/storage/test_typed_results_migration.py reads both with today's code.
"""
import json, os, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, "/work/main")
os.chdir("/work/cache-13/gen")
from analyzer.config import AnalysisConfig
from analyzer.pipeline import Analyzer
from analyzer.serialize import write_result_json
from analyzer.storage import SessionStore
from analyzer.storage.models import Base
from sqlalchemy import select
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav
from tests.dashboard.conftest import LED_MEETING

wav = write_tone_wav(Path("meeting.wav"), 72.0)
words = words_from_script([(s, e, text) for s, e, _, text in LED_MEETING])
segments = [seg(s, e, speaker) for s, e, speaker, _ in LED_MEETING]
config = AnalysisConfig().with_updates(metrics={"attendees": ("Ana", "Ben", "Cleo", "Dev")})
result = Analyzer(config, FakeTranscriber(words), FakeDiarizer(segments)).analyze_file("meeting.wav")
result = replace(result, provenance=replace(result.provenance, created_at="2026-12-01T09:00:00+00:00",
                                            library_versions=()), speaker_names={"SPEAKER_00": "Ana"})
out = Path("schema1"); out.mkdir(exist_ok=True)
write_result_json(result, out / "result.json")
db = Path("schema1.sqlite"); db.unlink(missing_ok=True)
with SessionStore(f"sqlite:///{db}") as store:
    sid = store.save(result, group="team", title="led meeting", recorded_at="2026-11-30T10:00:00+00:00")
    rows = {}
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows[table.name] = [dict(r._mapping) for r in conn.execute(select(table))]
        rows["alembic_version"] = [dict(r._mapping) for r in conn.exec_driver_sql("select * from alembic_version")]
(out / "session_rows.json").write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
print(sid, {k: len(v) for k, v in rows.items()})
