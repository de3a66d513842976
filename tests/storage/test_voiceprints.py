"""Voiceprints: opt-in per group, matching a second meeting to the people named in the first,
confirm / correct / reject, and deletion (per session, person and group), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from session_builders import insert_with_old_schema, make_result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analyzer.core.errors import StorageError
from analyzer.formats.serialize import result_to_dict
from analyzer.storage.models import VoiceprintRow

RNG = np.random.default_rng(16)
VOICES = {name: RNG.normal(size=192) for name in ("ana", "ben", "cy", "stranger")}


def voice(name: str, noise: float = 0.25, seed: int = 0) -> tuple[float, ...]:
    """One recording's centroid of a voice: the voice plus recording noise."""
    rng = np.random.default_rng(seed)
    v = VOICES[name] + noise * np.linalg.norm(VOICES[name]) / np.sqrt(192) * rng.normal(size=192)
    return tuple(float(x) for x in v)


def meeting(name: str, voices: dict[str, str], seed: int):
    result = make_result(name)
    embeddings = {label: voice(v, seed=seed + i) for i, (label, v) in enumerate(voices.items())}
    return replace(result, diarization=replace(result.diarization, embeddings=embeddings))


def voiceprints(store, **where) -> int:
    with Session(store.engine) as session:
        query = select(func.count()).select_from(VoiceprintRow)
        for key, value in where.items():
            query = query.where(getattr(VoiceprintRow, key) == value)
        return session.scalar(query)


def test_no_voiceprint_is_stored_for_a_group_without_opt_in(store):
    store.create_group("team")
    sid = store.save(meeting("m1", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 1), group="team")
    store.save(meeting("m2", {"SPEAKER_00": "ana"}, 2), group="default")  # created on the fly: no opt-in
    assert voiceprints(store) == 0
    loaded = store.load(sid)
    assert loaded.speaker_matches == {} and loaded.speaker_names == {}
    assert not store.voiceprints_enabled("team")


def test_a_second_meeting_names_the_people_named_in_the_first(store):
    assert store.create_group("team", voiceprints=True)
    first = store.save(meeting("m1", {"SPEAKER_00": "ana", "SPEAKER_01": "ben", "SPEAKER_02": "cy"}, 1),
                       group="team")
    loaded = store.load(first)
    assert {m.status for m in loaded.speaker_matches.values()} == {"new"}  # the library was empty
    assert loaded.speaker_names == {"SPEAKER_00": "New speaker 1", "SPEAKER_01": "New speaker 2",
                                    "SPEAKER_02": "New speaker 3"}
    assert store.people("team") == []  # placeholders are not people
    assert voiceprints(store, session_id=first) == 2  # SPEAKER_02 spoke 1.5 s: too little to keep
    store.rename_speaker(first, "SPEAKER_00", "Ana")
    store.rename_speaker(first, "SPEAKER_01", "Ben")
    assert store.load(first).speaker_matches["SPEAKER_00"].status == "confirmed"

    # next week the labels come out the other way round, and a stranger joins
    second_result = meeting("m2", {"SPEAKER_00": "ben", "SPEAKER_01": "ana", "SPEAKER_02": "stranger"}, 10)
    identified = store.identify(second_result, "team")
    assert identified.speaker_names == {"SPEAKER_00": "Ben", "SPEAKER_01": "Ana", "SPEAKER_02": "New speaker 1"}
    data = result_to_dict(identified)
    people = {s["label"]: (s["person"], s["match_confidence"]) for s in data["speakers"]}
    assert people["SPEAKER_00"][0] == "Ben" and people["SPEAKER_00"][1] > 0.8
    assert people["SPEAKER_02"] == (None, None)
    second = store.save(identified, group="team")
    loaded = store.load(second)
    assert loaded.speaker_matches["SPEAKER_00"].person == "Ben"
    assert loaded.speaker_matches["SPEAKER_00"].status == "suggested"
    # the stored session is matched the same way when save() does it by itself (batch, dashboard)
    third = store.save(meeting("m3", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 20), group="team")
    assert store.load(third).speaker_names["SPEAKER_00"] == "Ana"
    trends = store.trends("team")
    ana = next(p for p in trends.people if p.name == "Ana")
    assert [p.session_id for p in ana.points] == [first, second, third]
    assert [p.label for p in ana.points] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"]


def test_confirm_updates_the_voiceprint_and_reject_makes_a_new_speaker(store):
    store.create_group("team", voiceprints=True)
    first = store.save(meeting("m1", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 1), group="team")
    store.rename_speaker(first, "SPEAKER_00", "Ana")
    ana = store.voice_library("team")
    assert [(e.person, e.voiceprints) for e in ana] == [("Ana", 1)]
    second = store.save(meeting("m2", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 5), group="team")
    assert store.load(second).speaker_matches["SPEAKER_00"].status == "suggested"
    assert store.voice_library("team")[0].voiceprints == 1  # a suggestion is not yet part of the profile
    assert store.confirm_speaker(second, "SPEAKER_00") == "Ana"
    assert store.voice_library("team")[0].voiceprints == 2
    assert store.load(second).speaker_matches["SPEAKER_00"].status == "confirmed"
    with pytest.raises(StorageError, match="not matched to anyone"):
        store.confirm_speaker(second, "SPEAKER_01")

    placeholder = store.reject_speaker(second, "SPEAKER_00")
    loaded = store.load(second)
    assert placeholder == loaded.speaker_names["SPEAKER_00"] and placeholder.startswith("New speaker")
    assert placeholder != loaded.speaker_names["SPEAKER_01"]
    assert loaded.speaker_matches["SPEAKER_00"].person is None
    assert loaded.speaker_matches["SPEAKER_00"].status == "rejected"
    assert store.voice_library("team")[0].voiceprints == 1  # the rejected voice left Ana's profile
    store.rename_speaker(second, "SPEAKER_01", "Ben")  # a correction is a confirmation too
    assert [(e.person, e.voiceprints) for e in store.voice_library("team")] == [("Ana", 1), ("Ben", 1)]


def test_matching_is_one_to_one(store):
    store.create_group("team", voiceprints=True)
    first = store.save(meeting("m1", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 1), group="team")
    store.rename_speaker(first, "SPEAKER_00", "Ana")
    # two labels of one voice (diarization split Ana): only one can be Ana
    split = store.identify(meeting("m2", {"SPEAKER_00": "ana", "SPEAKER_01": "ana"}, 7), "team")
    persons = [m.person for m in split.speaker_matches.values()]
    assert persons.count("Ana") == 1 and persons.count(None) == 2  # SPEAKER_02 has no embedding


def test_deleting_a_session_person_or_group_removes_voiceprints(store):
    store.create_group("team", voiceprints=True)
    store.create_group("other", voiceprints=True)
    first = store.save(meeting("m1", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 1), group="team")
    second = store.save(meeting("m2", {"SPEAKER_00": "ana", "SPEAKER_01": "ben"}, 2), group="team")
    store.save(meeting("m3", {"SPEAKER_00": "ana"}, 3), group="other")
    store.rename_speaker(first, "SPEAKER_00", "Ana")
    store.enrol("team", "Ana", voice("ana", seed=99), 12.0, "unknown")
    assert voiceprints(store) == 6
    store.delete_session(second)
    assert voiceprints(store, session_id=second) == 0 and voiceprints(store) == 4
    assert store.forget_voice("team", "Ana") == 2  # the session's and the enrolment's
    assert voiceprints(store) == 2 and "Ana" in store.people("team")  # the person and her numbers stay
    store.delete_group("team")
    assert voiceprints(store) == 1
    assert store.set_voiceprints("other", False) == 1
    assert voiceprints(store) == 0 and not store.voiceprints_enabled("other")


def test_enrolment_needs_opt_in_and_names_people_in_the_next_meeting(store):
    store.create_group("team")
    with pytest.raises(StorageError, match="--voiceprints"):
        store.enrol("team", "Ana", voice("ana"), 12.0, "unknown")
    store.set_voiceprints("team", True)
    store.enrol("team", "Ana", voice("ana", seed=3), 12.0, "unknown")
    sid = store.save(meeting("m1", {"SPEAKER_00": "ben", "SPEAKER_01": "ana"}, 4), group="team")
    assert store.load(sid).speaker_names == {"SPEAKER_00": "New speaker 1", "SPEAKER_01": "Ana",
                                             "SPEAKER_02": "New speaker 2"}
    inventory = {g.group: g for g in store.voiceprint_inventory()}
    assert inventory["team"].enabled and inventory["team"].voiceprints == 3 and inventory["team"].people == 1


def test_upgrade_from_a_database_of_the_previous_revision_keeps_everything(db_url):
    """A database written before voiceprints (revision 0002) opens, migrates and keeps its sessions."""
    from sqlalchemy import MetaData

    from analyzer.storage import SessionStore
    from analyzer.storage.engine import current_revision, head_revision, make_engine, upgrade

    engine = make_engine(db_url)
    upgrade(engine, "0002")
    old = MetaData()
    old.reflect(engine)
    assert "voiceprints" not in old.tables and "voiceprints" not in old.tables["groups"].c
    result = make_result("old")
    sid = insert_with_old_schema(engine, result, people={"SPEAKER_00": "Ana"})
    engine.dispose()
    with SessionStore(db_url) as store:
        assert current_revision(store.engine) == head_revision()
        assert not store.voiceprints_enabled("team")
        assert store.load(sid) == replace(result, speaker_names={"SPEAKER_00": "Ana"})
        assert store.people("team") == ["Ana"]  # nothing was lost by the migration (cascades on SQLite)
        store.set_voiceprints("team", True)
        new = store.save(meeting("new", {"SPEAKER_00": "ana"}, 1), group="team")
        assert voiceprints(store, session_id=new) == 1
