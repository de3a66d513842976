"""Row lookups shared by the store's modules: a session, group, speaker or person, with clear errors."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analyzer.core.errors import StorageError
from analyzer.core.schema import SessionResult
import analyzer.storage.voices as voices
from analyzer.storage.models import GroupRow, PersonRow, SessionRow, SpeakerRow

DEFAULT_GROUP = "default"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _clean_name(name: str, what: str, limit: int = 200) -> str:
    clean = " ".join(str(name).split())
    if not clean or len(clean) > limit:
        raise StorageError(f"{what} {name!r}: give a non-empty {what} of at most {limit} characters")
    return clean


def _missing_session(session_id: int) -> StorageError:
    return StorageError(f"session {session_id} not found; list the stored ones with `floorshare sessions list`")


def _require_session(session: Session, session_id: int) -> SessionRow:
    row = session.get(SessionRow, session_id)
    if row is None:
        raise _missing_session(session_id)
    return row


def _require_group(session: Session, name: str) -> GroupRow:
    group = session.scalar(select(GroupRow).where(GroupRow.name == name))
    if group is None:
        raise StorageError(f"group {name!r} not found; list groups with `floorshare groups list`")
    return group


def _get_or_create_group(session: Session, name: str) -> GroupRow:
    group = session.scalar(select(GroupRow).where(GroupRow.name == name))
    if group is None:
        group = GroupRow(name=name, created_at=_now())
        session.add(group)
        session.flush()
    return group


def _get_or_create_person(session: Session, group: GroupRow, name: str) -> PersonRow:
    person = session.scalar(select(PersonRow).where(PersonRow.group_id == group.id, PersonRow.name == name))
    if person is None:
        person = PersonRow(group_id=group.id, name=name)
        session.add(person)
        session.flush()
    return person


def _delete_person_if_unused(session: Session, person: PersonRow) -> None:
    used = session.scalar(select(func.count()).where(SpeakerRow.person_id == person.id))
    if not used and not voices.person_has_voiceprints(session, person):
        session.delete(person)


def _require_speaker(row: SessionRow, label: str) -> SpeakerRow:
    speaker = next((s for s in row.speakers if s.label == label), None)
    if speaker is None:
        labels = ", ".join(s.label for s in row.speakers) or "none"
        raise StorageError(f"session {row.id} has no speaker {label!r}; its labels: {labels}")
    return speaker


def _link_people(session: Session, group: GroupRow, row: SessionRow, result: SessionResult) -> None:
    """Link labels to people by name; a voice match's status is kept, "New speaker N" links no one."""
    for speaker in row.speakers:
        match = result.speaker_matches.get(speaker.label)
        name = result.speaker_names.get(speaker.label)
        if match is not None:
            speaker.match_status, speaker.match_confidence = match.status, match.confidence
            if match.person is None:
                speaker.placeholder = name
                continue
            name = match.person
        if name and name.strip():
            speaker.person = _get_or_create_person(session, group, _clean_name(name, "name"))
