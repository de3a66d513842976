"""Voice metrics survive the store (SQLite and PostgreSQL), and rows stored before them still load."""

from __future__ import annotations

from dataclasses import replace

import pytest
from session_builders import make_result

from analyzer.core.schema import HeatedStretch, RaisedVoice, VoiceMetrics, VoiceStats
from tests.storage.test_voiceprints_cli import app, wide_console  # noqa: F401 - fixtures of the CLI tests


def _voice() -> VoiceMetrics:
    stats = tuple(VoiceStats(label, 6.0, -27.5, share, -28.0, 3.5, raised, 2.5 * raised, 180.0, 6.5, 240.0, 150.0,
                             "words") for label, share, raised in (("SPEAKER_00", 0.5, 1), ("SPEAKER_01", 0.3, 0),
                                                                   ("SPEAKER_02", 0.2, 0)))
    return VoiceMetrics(stats, (RaisedVoice("SPEAKER_00", 5.25, 7.75, 9.5, "send me the numbers"),),
                        (HeatedStretch(0.0, 20.0, 1, 2, 9.0, ("SPEAKER_00", "SPEAKER_01")),))


def test_voice_round_trips_through_the_store(store):
    result = make_result("loud")
    result = replace(result, metrics=replace(result.metrics, voice=_voice()))
    session_id = store.save(result, group="team")
    assert store.load(session_id).metrics.voice == result.metrics.voice


def test_a_session_stored_without_voice_loads_with_none(store):
    session_id = store.save(make_result("quiet"), group="team")
    assert store.load(session_id).metrics.voice is None


def test_a_correction_from_the_command_line_measures_the_voices_again(app, monkeypatch, tmp_path):
    """The real librosa stage on an 18 s tone: voice figures follow a merge while the recording is there;
    once it is gone a split removes them and says so (the other numbers are recomputed either way)."""
    import json

    import analyzer.pipeline.analysis as pipeline
    from analyzer.adapters.voice import LibrosaProsody
    from tests.conftest import write_tone_wav
    from tests.storage.test_voiceprints_cli import Transcriber, VoiceDiarizer, run

    monkeypatch.setattr(pipeline, "build_analyzer",
                        lambda config: pipeline.Analyzer(config, Transcriber(), VoiceDiarizer(), LibrosaProsody()))
    db, wav = tmp_path / "fs.db", write_tone_wav(tmp_path / "week1.wav", 18.0, freq=220)
    run(app, "analyze", wav, "--group", "team", "--db", db, "--out", tmp_path / "out")
    before = json.loads(run(app, "sessions", "show", 1, "--json", "--db", db))["voice"]
    ana = {s["label"]: s for s in before["speakers"]}["SPEAKER_00"]
    assert {s["label"] for s in before["speakers"]} == {"SPEAKER_00", "SPEAKER_01"}

    merged = run(app, "speakers", "merge", 1, "SPEAKER_00", "SPEAKER_01", "--db", db)
    assert "note:" not in merged
    after = json.loads(run(app, "sessions", "show", 1, "--json", "--db", db))["voice"]
    assert [s["label"] for s in after["speakers"]] == ["SPEAKER_00"]
    assert after["speakers"][0]["voiced_time_s"] > ana["voiced_time_s"] + 3  # both people's speech now
    assert after["speakers"][0]["pitch_median_hz"] == pytest.approx(220, abs=5)

    wav.unlink()
    split = " ".join(run(app, "speakers", "split", 1, "SPEAKER_00", "--from", 6.0, "--to", 12.2, "--db", db).split())
    assert "is now SPEAKER_01's" in split and "voice figures" in split and "week1.wav" in split
    shown = json.loads(run(app, "sessions", "show", 1, "--json", "--db", db))
    assert "voice" not in shown and {s["label"] for s in shown["speakers"]} == {"SPEAKER_00", "SPEAKER_01"}
    assert "week1.wav" in shown["voice_removed"]  # the reason stays with the session
    later = " ".join(run(app, "sessions", "show", 1, "--db", db).split())
    assert "note: voice figures (energy, pitch, pace, raised voices) were removed" in later and "week1.wav" in later
