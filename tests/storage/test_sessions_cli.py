"""The storage commands end to end: analyze --group (fake models), sessions, speakers, groups, trends."""

from __future__ import annotations

import json
import math
import wave
from dataclasses import replace
from pathlib import Path

import pytest
from session_builders import make_result
from typer.testing import CliRunner

from analyzer.core.schema import SpeakerSegment, Word
from analyzer.formats.exports import EVENT_FORMATS, EXPORT_FORMATS
from analyzer.storage import SessionStore
from tests.conftest import FakeDiarizer, FakeTranscriber


# What the fake models answer (the one fake_models fixture of tests/conftest.py reads this).
FAKE_MEETING = ((SpeakerSegment(0.0, 1.0, "SPEAKER_00"), SpeakerSegment(1.0, 2.0, "SPEAKER_01")),
                (Word(0.1, 0.4, "hello"), Word(0.5, 0.9, "team"), Word(1.1, 1.5, "hi"), Word(1.6, 1.9, "there")))


def _tone(path: Path, freq: float) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(b"".join(int(8000 * math.sin(2 * math.pi * freq * i / 16000)).to_bytes(2, "little",
                                                                                                 signed=True)
                                    for i in range(32000)))
    return path


@pytest.fixture(scope="module")
def app():
    from analyzer.cli.app import build_app

    return build_app()


def run(app, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def test_analyze_group_builds_history_without_duplicates(app, fake_models, tmp_path):
    db = tmp_path / "fs.db"
    one, two = _tone(tmp_path / "monday.wav", 220), _tone(tmp_path / "tuesday.wav", 330)
    out = run(app, "analyze", one, two, "--group", "team", "--db", db, "--out", tmp_path / "out")
    assert "stored: session 1" in out and "stored: session 2" in out
    run(app, "analyze", one, "--group", "team", "--db", db, "--out", tmp_path / "out")  # same again
    run(app, "analyze", one, "--group", "team", "--db", db, "--out", tmp_path / "out", "--no-store",
        "--attendees", "3")
    run(app, "analyze", one, "--group", "team", "--db", db, "--out", tmp_path / "out", "--attendees", "3")
    sessions = json.loads(run(app, "sessions", "list", "--group", "team", "--json", "--db", db))
    assert [(s["title"], s["version"]) for s in sessions] in (
        [("monday", 1), ("monday", 2), ("tuesday", 1)], [("monday", 1), ("tuesday", 1), ("monday", 2)])
    assert not (tmp_path / "fs.db-audio").exists()  # no --keep-audio
    groups = json.loads(run(app, "groups", "list", "--json", "--db", db))
    assert groups == [{"name": "team", "sessions": 3, "people": [], "voiceprints": False, "stored_voiceprints": 0}]


def test_analyze_keep_audio_and_bad_db(app, fake_models, tmp_path):
    db = tmp_path / "fs.db"
    wav = _tone(tmp_path / "kept.wav", 220)
    run(app, "analyze", wav, "--db", db, "--out", tmp_path / "out", "--keep-audio")
    assert [p.read_bytes() for p in (tmp_path / "fs.db-audio").iterdir()] == [wav.read_bytes()]
    out = run(app, "analyze", wav, "--db", tmp_path / "missing" / "x.db", "--out", tmp_path / "out", code=1)
    assert "does not exist" in out and "Traceback" not in out


def test_rename_shows_in_every_export_and_trends(app, tmp_path):
    db = f"sqlite:///{tmp_path / 'fs.db'}"
    with SessionStore(db) as store:
        first = store.save(make_result("w1"), group="team", recorded_at="2026-11-02T09:00:00+00:00")
        store.save(make_result("w2", gini=0.5, verdict="one_to_many"), group="team",
                   recorded_at="2026-11-09T09:00:00+00:00")
    run(app, "speakers", "rename", first, "SPEAKER_00", "Ana Lopez", "--db", db)
    for fmt in EXPORT_FORMATS:
        text = run(app, "sessions", "export", first, "--format", fmt, "--db", db)
        if fmt in EVENT_FORMATS:  # no events in this session: only the header, nobody named
            assert text.startswith("label,name,"), text
            continue
        assert ("Ana_Lopez" if fmt == "rttm" else "Ana Lopez") in text, fmt
        if fmt in ("srt", "vtt", "md", "html", "txt", "rttm"):
            assert "SPEAKER_00" not in text, fmt
    shown = json.loads(run(app, "sessions", "show", first, "--json", "--db", db))
    assert shown["id"] == first and shown["speakers"][0]["name"] == "Ana Lopez"
    assert all("SPEAKER_00" not in r for r in shown["verdict_reasons"])
    assert (shown["indices"]["hub"], shown["indices"]["hub_name"]) == ("SPEAKER_00", "Ana Lopez")
    trends = json.loads(run(app, "trends", "team", "--json", "--db", db))
    assert [s["verdict"] for s in trends["sessions"]] == ["hub_and_spoke", "one_to_many"]
    assert [s["indices"]["gini"] for s in trends["sessions"]] == [0.31, 0.5]
    assert trends["people"][0]["name"] == "Ana Lopez"
    assert trends["people"][0]["sessions"][0]["share"] == 0.55
    table = run(app, "trends", "team", "--db", db)
    assert "Ana Lopez" in table and "55% / 2 / 1 / 2" in table


def test_export_to_file_delete_and_errors(app, tmp_path, monkeypatch):
    db = tmp_path / "fs.db"
    monkeypatch.setenv("FLOORSHARE_DB", str(db))  # no --db: the environment decides
    with SessionStore(str(db)) as store:
        session = store.save(make_result("x"), group="team")
    target = tmp_path / "report.html"
    run(app, "sessions", "export", session, "--format", "html", "--out", target)
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert "unknown export format 'docx'" in run(app, "sessions", "export", session, "--format", "docx", code=2)
    assert "session 99 not found" in run(app, "sessions", "show", "99", code=1)
    assert "no speaker 'SPEAKER_09'" in run(app, "speakers", "rename", session, "SPEAKER_09", "X", code=1)
    run(app, "sessions", "delete", session, "--yes")
    assert json.loads(run(app, "sessions", "list", "--json")) == []
    run(app, "groups", "create", "other")
    assert "already exists" in run(app, "groups", "create", "other")
    run(app, "groups", "delete", "team", "--yes")
    run(app, "groups", "delete", "other", "--yes")
    assert json.loads(run(app, "groups", "list", "--json")) == []
    assert "group 'team' not found" in run(app, "trends", "team", code=1)


def test_a_pipeline_result_round_trips_through_the_store(tmp_path, db_url):
    """The real metrics and directives code (fake models only) produce results the store keeps exactly."""
    import analyzer.pipeline.analysis as pipeline
    from analyzer.core.config import AnalysisConfig

    segments, words = FAKE_MEETING
    result = pipeline.Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer(list(segments))).analyze_file(
        _tone(tmp_path / "real.wav", 220))
    assert result.metrics is not None
    with SessionStore(db_url) as store:
        session = store.save(result, group="team")
        store.rename_speaker(session, "SPEAKER_01", "Ben")
        loaded = store.load(session)
    assert loaded.speaker_names == {"SPEAKER_01": "Ben"}
    assert loaded == replace(result, speaker_names={"SPEAKER_01": "Ben"})


def test_analyze_dates_each_meeting_says_how_and_sessions_update_corrects_it(app, fake_models, tmp_path):
    db = tmp_path / "fs.db"
    named, plain = _tone(tmp_path / "team 2026-03-14.wav", 220), _tone(tmp_path / "team.wav", 330)
    out = run(app, "analyze", named, plain, "--group", "team", "--db", db, "--out", tmp_path / "out")
    assert "meeting date: 2026-03-14 (from the file name)" in out
    assert "(from the file's modification time)" in out
    given = _tone(tmp_path / "board 2026-03-14.wav", 440)
    assert "meeting date: 2026-02-01 (given by you)" in run(
        app, "analyze", given, "--group", "team", "--db", db, "--out", tmp_path / "out", "--date", "2026-02-01")
    assert "--date 'someday': not a date" in run(app, "analyze", given, "--db", db, "--date", "someday", code=2)
    sessions = json.loads(run(app, "sessions", "list", "--group", "team", "--json", "--db", db))
    assert [(s["title"], s["recorded_at"][:10], s["date_source"]) for s in sessions][:2] == [
        ("board 2026-03-14", "2026-02-01", "given"), ("team 2026-03-14", "2026-03-14", "file name")]
    first = sessions[1]["id"]
    out = run(app, "sessions", "update", first, "--date", "2026-01-10", "--title", "January", "--db", db)
    assert "'January', meeting date 2026-01-10 (given by you)" in out
    trends = json.loads(run(app, "trends", "team", "--json", "--db", db))
    assert trends["sessions"][0]["title"] == "January"  # trends follow the meeting date
    assert "nothing to change" in run(app, "sessions", "update", first, "--db", db, code=2)
    assert "session 99 not found" in run(app, "sessions", "update", "99", "--title", "x", "--db", db, code=1)


def test_groups_goals_are_versioned_and_each_session_is_judged_by_those_in_force(app, tmp_path):
    db = f"sqlite:///{tmp_path / 'fs.db'}"
    with SessionStore(db) as store:
        march = store.save(make_result("march"), group="team", recorded_at="2026-03-10T09:00:00+00:00")
        april = store.save(make_result("april", verdict="one_to_many"), group="team",
                           recorded_at="2026-04-10T09:00:00+00:00")
    shown = run(app, "groups", "goals", "show", "team", "--db", db)
    assert "team has no agreements yet" in shown and "Woolley" in shown  # the starting set with its reasons
    out = run(app, "groups", "goals", "set", "team", "--starting-set", "--from", "2026-03-01", "--db", db)
    assert "agreements version 1, in force for meetings from 2026-03-01" in out
    assert "No one above 35 % of the speech" in out
    run(app, "groups", "goals", "set", "team", "--max-share", "60%", "--off", "max-interruptions",
        "--from", "2026-04-01", "--db", db)
    versions = json.loads(run(app, "groups", "goals", "history", "team", "--json", "--db", db))
    assert [(v["version"], v["valid_from"], len(v["goals"])) for v in versions] == [
        (1, "2026-03-01", 5), (2, "2026-04-01", 4)]
    old = json.loads(run(app, "sessions", "show", march, "--json", "--db", db))["agreements"]
    new = json.loads(run(app, "sessions", "show", april, "--json", "--db", db))["agreements"]
    assert (old["version"], new["version"]) == (1, 2)  # March keeps the goals in force in March
    old_share = next(g for g in old["goals"] if g["kind"] == "max_share")
    new_share = next(g for g in new["goals"] if g["kind"] == "max_share")
    assert (old_share["target"], old_share["measured"], old_share["kept"]) == (0.35, 0.55, False)
    assert (new_share["target"], new_share["kept"]) == (0.6, True)
    assert new["previous_session"] == march and new_share["since_last"].startswith("largest share 55 %")
    assert old_share["result"] == "Not kept: the largest share was 55 % (SPEAKER_00), 20 points over the goal."
    text = run(app, "sessions", "show", march, "--db", db)
    assert "agreements: 3 of 5 agreements kept (version 1" in text and "✗ No one above 35 % of the speech" in text
    trend = json.loads(run(app, "trends", "team", "--json", "--db", db))["agreements"]
    assert [(p["id"], p["version"], len(p["goals"])) for p in trend] == [(march, 1, 5), (april, 2, 4)]
    assert "agreements per session" in run(app, "trends", "team", "--db", db)
    html = run(app, "sessions", "export", march, "--format", "html", "--db", db)
    assert "<h2>Our agreements</h2>" in html and "3 of 5 agreements kept" in html
    assert html.index("Our agreements") < html.index("<h2>Verdict</h2>")  # the report opens with them
    assert "--max-share 'lots': not a number" in run(app, "groups", "goals", "set", "team", "--max-share", "lots",
                                                     "--db", db, code=2)
    assert "nothing to set" in run(app, "groups", "goals", "set", "team", "--db", db, code=2)
    assert "out of range" in run(app, "groups", "goals", "set", "team", "--max-share", "150", "--db", db, code=2)
