"""Voice metrics survive the store (SQLite and PostgreSQL), and rows stored before them still load."""

from __future__ import annotations

from dataclasses import replace

from session_builders import make_result

from analyzer.core.schema import HeatedStretch, RaisedVoice, VoiceMetrics, VoiceStats


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
