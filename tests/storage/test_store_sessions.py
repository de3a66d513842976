"""SessionStore on SQLite and PostgreSQL: round trip, versions, renames, groups, deletion."""

from __future__ import annotations

from dataclasses import replace

import pytest
from session_builders import make_result
from sqlalchemy import func, select

from analyzer.core.config import AnalysisConfig, AsrConfig
from analyzer.core.errors import StorageError
from analyzer.storage import DEFAULT_GROUP, SessionStore
from analyzer.storage.models import (
    Base, DirectiveRow, GroupRow, InterruptionRow, PersonRow, SegmentRow, SessionRow, SpeakerRow,
    TranscriptSegmentRow, TurnRow, WordRow,
)

CHILD_TABLES = (SpeakerRow, SegmentRow, TranscriptSegmentRow, WordRow, TurnRow, InterruptionRow, DirectiveRow)


def count_rows(store: SessionStore, table: type[Base]) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_round_trip_is_lossless(store):
    result = make_result("weekly")
    session_id = store.save(result, group="team")
    assert store.load(session_id) == result


def test_round_trip_without_metrics(store):
    result = make_result("raw", metrics=False)
    loaded = store.load(store.save(result))
    assert loaded == result
    assert loaded.metrics is None
    assert store.list_sessions()[0].verdict is None


def test_names_in_the_result_link_people(store):
    result = make_result("named", speaker_names={"SPEAKER_00": "Ana", "SPEAKER_01": "Ben"})
    session_id = store.save(result, group="team")
    assert store.load(session_id).speaker_names == {"SPEAKER_00": "Ana", "SPEAKER_01": "Ben"}
    assert store.people("team") == ["Ana", "Ben"]


def test_same_recording_and_config_is_not_duplicated(store):
    first = store.save(make_result("dup"), group="team")
    again = store.save(make_result("dup"), group="team")
    assert again == first
    assert len(store.list_sessions()) == 1
    assert count_rows(store, TurnRow) == len(make_result("dup").turns)


def test_other_config_makes_a_new_version(store):
    base = make_result("versions")
    other_config = AnalysisConfig(asr=AsrConfig(model="base"))
    first = store.save(base, group="team")
    second = store.save(make_result("versions", config=other_config), group="team")
    assert second != first
    summaries = {s.id: s for s in store.list_sessions("team")}
    assert summaries[first].sha256 == summaries[second].sha256
    assert summaries[first].config_hash == AnalysisConfig().config_hash()
    assert summaries[second].config_hash == other_config.config_hash()
    assert (summaries[first].version, summaries[second].version) == (1, 2)
    assert store.find(base.recording.sha256, other_config.config_hash()) == second
    assert store.find(base.recording.sha256, "0" * 16) is None


def test_device_does_not_change_the_config_hash(store):
    first = store.save(make_result("device"))
    cuda = replace(AnalysisConfig(), device="cuda")
    assert store.save(make_result("device", config=cuda)) == first


def test_list_sessions_by_group_and_summary_fields(store):
    a = store.save(make_result("a"), group="team", title="Monday", recorded_at="2026-11-02T09:00:00+00:00")
    b = store.save(make_result("b"), group="team", title="Tuesday", recorded_at="2026-11-03T09:00:00+00:00")
    c = store.save(make_result("c"))
    assert [s.id for s in store.list_sessions("team")] == [a, b]
    assert {s.id for s in store.list_sessions()} == {a, b, c}
    summary = store.summary(a)
    assert (summary.group, summary.title, summary.num_speakers, summary.verdict) == \
        ("team", "Monday", 3, "hub_and_spoke")
    assert summary.duration == 20.0
    assert store.summary(c).group == DEFAULT_GROUP
    with pytest.raises(StorageError, match="group 'nobody' not found"):
        store.list_sessions("nobody")


def test_rename_links_a_person_and_relinking_moves_it(store):
    s1 = store.save(make_result("r1"), group="team")
    s2 = store.save(make_result("r2"), group="team")
    store.rename_speaker(s1, "SPEAKER_01", "Ben")
    store.rename_speaker(s2, "SPEAKER_00", "Ben")
    assert store.load(s1).speaker_names == {"SPEAKER_01": "Ben"}
    assert store.load(s2).speaker_names == {"SPEAKER_00": "Ben"}
    assert count_rows(store, PersonRow) == 1
    store.rename_speaker(s1, "SPEAKER_01", "Benjamin")
    assert store.people("team") == ["Ben", "Benjamin"]  # Ben is still linked in s2
    store.rename_speaker(s2, "SPEAKER_00", "Benjamin")
    assert store.people("team") == ["Benjamin"]  # an unlinked person is removed
    with pytest.raises(StorageError, match="no speaker 'SPEAKER_09'"):
        store.rename_speaker(s1, "SPEAKER_09", "X")
    with pytest.raises(StorageError, match="non-empty"):
        store.rename_speaker(s1, "SPEAKER_00", "   ")
    with pytest.raises(StorageError, match="session 999 not found"):
        store.rename_speaker(999, "SPEAKER_00", "X")


def test_groups_create_list_delete(store):
    assert store.create_group("alpha") is True
    assert store.create_group("alpha") is False
    store.save(make_result("g"), group="beta")
    assert store.list_groups() == ["alpha", "beta"]
    store.delete_group("alpha")
    assert store.list_groups() == ["beta"]
    with pytest.raises(StorageError, match="group 'alpha' not found"):
        store.delete_group("alpha")


def test_delete_session_removes_every_derived_row_and_the_audio(store, tmp_path):
    audio = tmp_path / "kept.wav"
    audio.write_bytes(b"RIFF fake audio")
    keep = store.save(make_result("keep", path=str(audio)), group="team", keep_audio=True)
    other = store.save(make_result("other"), group="team")
    kept_files = list((tmp_path / "audio").iterdir())
    assert len(kept_files) == 1 and kept_files[0].read_bytes() == b"RIFF fake audio"
    store.rename_speaker(keep, "SPEAKER_00", "Ana")
    store.delete_session(keep)
    with pytest.raises(StorageError, match=f"session {keep} not found"):
        store.load(keep)
    assert not kept_files[0].exists()
    with store.engine.connect() as conn:
        for table in (SessionRow, *CHILD_TABLES):
            left = conn.scalar(select(func.count()).select_from(table).where(table.id.is_not(None)).where(
                (table.id == keep) if table is SessionRow else (table.session_id == keep)))
            assert left == 0, table.__tablename__
    assert store.load(other) == make_result("other")


def test_audio_is_not_kept_by_default(store, tmp_path):
    audio = tmp_path / "plain.wav"
    audio.write_bytes(b"RIFF")
    store.save(make_result("plain", path=str(audio)))
    assert not (tmp_path / "audio").exists()
    with store.engine.connect() as conn:
        assert conn.scalar(select(SessionRow.audio_file)) is None


def test_delete_group_leaves_nothing(store, tmp_path):
    audio = tmp_path / "g.wav"
    audio.write_bytes(b"RIFF group")
    s1 = store.save(make_result("g1", path=str(audio)), group="team", keep_audio=True)
    store.save(make_result("g2"), group="team")
    store.rename_speaker(s1, "SPEAKER_00", "Ana")
    store.delete_group("team")
    for table in (GroupRow, PersonRow, SessionRow, *CHILD_TABLES):
        assert count_rows(store, table) == 0, table.__tablename__
    assert list((tmp_path / "audio").iterdir()) == []


def test_missing_session_is_a_one_line_error(store):
    with pytest.raises(StorageError) as info:
        store.load(12345)
    assert "\n" not in str(info.value) and "floorshare sessions list" in str(info.value)


def test_bad_url_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        SessionStore(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    with pytest.raises(StorageError, match="cannot open or migrate"):
        SessionStore("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_trends_follow_people_across_sessions(store):
    from analyzer.formats.exports import EVENT_FORMATS, EXPORT_FORMATS, export

    s1 = store.save(make_result("t1", gini=0.2, verdict="many_to_many"), group="team",
                    recorded_at="2026-11-02T09:00:00+00:00")
    s2 = store.save(make_result("t2", gini=0.6, verdict="one_to_many"), group="team",
                    recorded_at="2026-11-09T09:00:00+00:00")
    store.save(make_result("elsewhere"), group="other")
    store.rename_speaker(s1, "SPEAKER_00", "Ana")
    store.rename_speaker(s2, "SPEAKER_01", "Ana")  # labels differ between recordings
    store.rename_speaker(s2, "SPEAKER_02", "Chi")
    trends = store.trends("team")
    assert [(p.session_id, p.verdict, p.indices.gini) for p in trends.sessions] == \
        [(s1, "many_to_many", 0.2), (s2, "one_to_many", 0.6)]
    ana, chi = trends.people
    assert ana.name == "Ana" and [(p.session_id, p.label, p.share) for p in ana.points] == \
        [(s1, "SPEAKER_00", 0.55), (s2, "SPEAKER_01", 0.37)]
    assert [(p.turns, p.interruptions_made, p.interruptions_received, p.directives) for p in ana.points] == \
        [(2, 1, 0, 2), (2, 0, 1, 0)]
    assert chi.name == "Chi" and [p.session_id for p in chi.points] == [s2]
    assert trends.to_dict()["people"][0]["sessions"][1]["share"] == 0.37
    for fmt in EXPORT_FORMATS:  # a rename shows in every export of the stored session
        text = export(store.load(s2), fmt)
        if fmt in EVENT_FORMATS:  # no events in this session: only the header, nobody named
            assert text.startswith("label,name,"), fmt
            continue
        assert "Ana" in text and "Chi" in text, fmt


def test_trends_add_up_one_person_split_into_two_labels(store):
    session = store.save(make_result("split"), group="team")
    store.rename_speaker(session, "SPEAKER_01", "Ben")
    store.rename_speaker(session, "SPEAKER_02", "Ben")
    (ben,) = store.trends("team").people
    (point,) = ben.points
    assert point.label == "SPEAKER_01+SPEAKER_02"
    assert point.share == pytest.approx(0.45) and point.turns == 3
    assert point.interruptions_received == 1


def test_numpy_times_from_model_adapters_are_stored_as_floats(store):
    import numpy as np

    from analyzer.core.schema import SpeakerSegment

    result = make_result("numpy")
    segments = tuple(SpeakerSegment(np.float32(s.start), np.float32(s.end), s.speaker)
                     for s in result.diarization.segments)
    loaded = store.load(store.save(replace(result, diarization=replace(result.diarization, segments=segments))))
    assert [type(s.start) for s in loaded.diarization.segments] == [float] * len(segments)
    assert [s.end for s in loaded.diarization.segments] == [float(s.end) for s in segments]
