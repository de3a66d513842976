"""A corrected session (merge, split) is stored with recomputed numbers: reports, exports and trends."""

from __future__ import annotations

import pytest

from analyzer.pipeline.corrections import merge_speakers, split_speaker
from analyzer.formats.exports import export
from tests.unit.test_corrections import analyse


def test_a_merged_session_shows_recomputed_numbers_everywhere(store, tmp_path):
    store.create_group("team", voiceprints=True)
    result, _ = analyse(tmp_path)
    sid = store.save(result, group="team")
    store.rename_speaker(sid, "SPEAKER_00", "Ana")
    store.rename_speaker(sid, "SPEAKER_01", "Ben")
    merged = merge_speakers(store.load(sid, with_voiceprints=True), "SPEAKER_00", "SPEAKER_02")
    store.replace_result(sid, merged)

    loaded = store.load(sid)
    assert loaded.metrics == merged.metrics and loaded.turns == merged.turns
    assert loaded.speaker_names == {"SPEAKER_00": "Ana", "SPEAKER_01": "Ben"}
    assert loaded.speaker_matches["SPEAKER_00"].status == "confirmed"
    assert store.summary(sid).verdict == merged.metrics.verdict.label
    assert store.summary(sid).num_speakers == 2
    ana = next(s for s in merged.metrics.speakers if s.speaker == "SPEAKER_00")
    (person,) = [p for p in store.trends("team").people if p.name == "Ana"]
    assert person.points[0].share == pytest.approx(ana.share) and person.points[0].label == "SPEAKER_00"
    csv = export(loaded, "csv")
    assert "SPEAKER_02" not in csv and f"SPEAKER_00,Ana,{round(ana.speaking_time, 3):g}," in csv
    assert [e.person for e in store.voice_library("team")] == ["Ana", "Ben"]  # confirmed voices kept


def test_a_split_session_gets_a_new_label_with_its_own_numbers(store, tmp_path):
    result, _ = analyse(tmp_path)
    sid = store.save(result, group="team")
    store.rename_speaker(sid, "SPEAKER_02", "Ana")
    split, target = split_speaker(store.load(sid, with_voiceprints=True), "SPEAKER_02", 26.0, 40.0)
    store.replace_result(sid, split)
    loaded = store.load(sid)
    assert loaded.metrics == split.metrics
    assert target in loaded.diarization.speakers and target not in loaded.speaker_names
    assert loaded.speaker_names["SPEAKER_02"] == "Ana"
    assert {s.speaker for s in loaded.metrics.speakers} >= {"SPEAKER_02", target}
