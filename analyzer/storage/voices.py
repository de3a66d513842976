"""A group's voice library in the database: voiceprints, matching a session's speakers, confirmations.

Voiceprints are biometric data, kept only for groups that opted in (``groups.voiceprints``).
A session saved in such a group keeps one voiceprint per speaker with enough speech
(``VoiceprintConfig.min_speech_s``); it counts towards a person's profile once a person
confirmed who it is (naming, confirming or correcting the speaker) or when it came from
an enrolment clip. The matching itself is :mod:`analyzer.voices.matching` (pure).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analyzer.core.config import VoiceprintConfig
from analyzer.core.errors import StorageError
from analyzer.core.schema import SessionResult, SpeakerMatch
from analyzer.storage.models import GroupRow, PersonRow, SessionRow, SpeakerRow, VoiceprintRow
from analyzer.voices.matching import assign, embedding_model_id, profile

NEW_SPEAKER = "New speaker"


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """A person of a group's voice library: how many voiceprints make up the profile."""

    person: str
    voiceprints: int
    enrolments: int
    speech_s: float


@dataclass(frozen=True, slots=True)
class GroupVoiceprints:
    """What the Settings & privacy page lists per group."""

    group: str
    enabled: bool
    voiceprints: int
    people: int


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def embedding_model(result: SessionResult) -> str:
    """``name:sha256-prefix`` of the embedding model that made the result's voice embeddings."""
    return embedding_model_id(result.provenance.models)


def speech_seconds(result: SessionResult) -> dict[str, float]:
    """Exclusive speech per label (the seconds a centroid was pooled from, near enough)."""
    found: dict[str, float] = {}
    for s in result.diarization.exclusive:
        found[s.speaker] = found.get(s.speaker, 0.0) + max(0.0, s.end - s.start)
    return found


def profiles(session: Session, group: GroupRow, model: str) -> dict[str, list[float]]:
    """Person name -> profile vector, from the confirmed voiceprints made by ``model``."""
    rows = session.execute(select(PersonRow.name, VoiceprintRow.vector, VoiceprintRow.speech_s)
                           .join(VoiceprintRow, VoiceprintRow.person_id == PersonRow.id)
                           .where(VoiceprintRow.group_id == group.id, VoiceprintRow.model == model)).all()
    by_person: dict[str, tuple[list, list]] = {}
    for name, vector, speech in rows:
        vectors, weights = by_person.setdefault(name, ([], []))
        vectors.append(vector)
        weights.append(speech)
    return {name: list(profile(v, w)) for name, (v, w) in by_person.items()}


def identify(session: Session, group: GroupRow, result: SessionResult, config: VoiceprintConfig) -> SessionResult:
    """The result with ``speaker_matches`` and names: known voices named, the others "New speaker N"."""
    speech = speech_seconds(result)
    usable = {label: vector for label, vector in result.diarization.embeddings.items()
              if speech.get(label, 0.0) >= config.min_speech_s}
    found = {a.label: a for a in assign(usable, profiles(session, group, embedding_model(result)),
                                        config.match_threshold)}
    matches: dict[str, SpeakerMatch] = {}
    names = dict(result.speaker_names)
    new = 0
    for label in result.diarization.speakers:
        a = found.get(label)
        if a is not None and a.person is not None:
            matches[label] = SpeakerMatch(a.person, round(a.similarity, 4), "suggested")
            names[label] = a.person
        elif label not in names:
            new += 1
            matches[label] = SpeakerMatch(None, None, "new")
            names[label] = f"{NEW_SPEAKER} {new}"
    return replace(result, speaker_matches=matches, speaker_names=names)


def store_voiceprints(session: Session, group: GroupRow, row: SessionRow, result: SessionResult,
                      config: VoiceprintConfig) -> int:
    """One voiceprint per speaker with enough speech; linked to the person when already confirmed."""
    speech = speech_seconds(result)
    model = embedding_model(result)
    speakers = {s.label: s for s in row.speakers}
    added = 0
    for label, vector in result.diarization.embeddings.items():
        if speech.get(label, 0.0) < config.min_speech_s or label not in speakers:
            continue
        speaker = speakers[label]
        confirmed = speaker.person_id is not None and speaker.match_status in (None, "confirmed")
        session.add(VoiceprintRow(group_id=group.id, person_id=speaker.person_id if confirmed else None,
                                  session_id=row.id, label=label, source="session", model=model,
                                  vector=[float(x) for x in vector], speech_s=float(speech[label]),
                                  created_at=_now()))
        added += 1
    return added


def link_session_voiceprint(session: Session, speaker: SpeakerRow, person: PersonRow | None) -> None:
    """A person confirmed (or withdrew) who a session's speaker is: that voiceprint follows."""
    for vp in session.scalars(select(VoiceprintRow).where(VoiceprintRow.session_id == speaker.session_id,
                                                          VoiceprintRow.label == speaker.label)):
        vp.person_id = person.id if person is not None else None


def next_placeholder(row: SessionRow) -> str:
    """The next free "New speaker N" of a session."""
    used = {s.placeholder for s in row.speakers if s.placeholder}
    n = 1
    while f"{NEW_SPEAKER} {n}" in used:
        n += 1
    return f"{NEW_SPEAKER} {n}"


def require_enabled(group: GroupRow) -> None:
    if not group.voiceprints:
        raise StorageError(f"group {group.name!r} does not keep voiceprints; turn them on first with "
                           f"`floorshare groups update {group.name} --voiceprints` (they are biometric data: "
                           "ask the group)")


def enrol(session: Session, group: GroupRow, person: PersonRow, vector: list[float], speech_s: float,
          model: str) -> None:
    require_enabled(group)
    session.add(VoiceprintRow(group_id=group.id, person_id=person.id, session_id=None, label=None,
                              source="enrolment", model=model, vector=[float(x) for x in vector],
                              speech_s=float(speech_s), created_at=_now()))


def delete_group_voiceprints(session: Session, group: GroupRow) -> int:
    count = session.scalar(select(func.count()).where(VoiceprintRow.group_id == group.id)) or 0
    session.execute(delete(VoiceprintRow).where(VoiceprintRow.group_id == group.id))
    return int(count)


def delete_person_voiceprints(session: Session, person: PersonRow) -> int:
    count = session.scalar(select(func.count()).where(VoiceprintRow.person_id == person.id)) or 0
    session.execute(delete(VoiceprintRow).where(VoiceprintRow.person_id == person.id))
    return int(count)


def library(session: Session, group: GroupRow) -> list[LibraryEntry]:
    rows = session.execute(select(PersonRow.name, VoiceprintRow.source, VoiceprintRow.speech_s)
                           .join(VoiceprintRow, VoiceprintRow.person_id == PersonRow.id)
                           .where(PersonRow.group_id == group.id)).all()
    found: dict[str, list] = {}
    for name, source, speech in rows:
        entry = found.setdefault(name, [0, 0, 0.0])
        entry[0] += 1
        entry[1] += source == "enrolment"
        entry[2] += float(speech)
    return [LibraryEntry(name, n, e, round(s, 1)) for name, (n, e, s) in sorted(found.items())]


def export(session: Session, group: GroupRow, name: str | None = None) -> dict:
    """The group's confirmed voiceprints (one person's with ``name``), as plain data for a file the
    user asked for: the vectors, the seconds of speech each was pooled from, where it came from and
    the embedding model. Unconfirmed voiceprints (speakers nobody named) are not included."""
    query = (select(PersonRow.name, VoiceprintRow).join(VoiceprintRow, VoiceprintRow.person_id == PersonRow.id)
             .where(PersonRow.group_id == group.id).order_by(PersonRow.name, VoiceprintRow.id))
    if name is not None:
        query = query.where(PersonRow.name == name)
    people: dict[str, list[dict]] = {}
    for person, row in session.execute(query).all():
        people.setdefault(person, []).append({
            "source": row.source, "session": row.session_id, "label": row.label, "model": row.model,
            "speech_s": round(float(row.speech_s), 2), "created_at": row.created_at,
            "vector": [float(x) for x in row.vector]})
    return {"group": group.name, "exported_at": _now(),
            "note": "voiceprints are biometric data: keep this file private and delete it when done",
            "people": [{"name": person, "voiceprints": prints} for person, prints in people.items()]}


def inventory(session: Session) -> list[GroupVoiceprints]:
    groups = session.scalars(select(GroupRow).order_by(GroupRow.name)).all()
    counts = dict(session.execute(select(VoiceprintRow.group_id, func.count()).group_by(VoiceprintRow.group_id)).all())
    people = dict(session.execute(select(VoiceprintRow.group_id, func.count(func.distinct(VoiceprintRow.person_id)))
                                  .group_by(VoiceprintRow.group_id)).all())
    return [GroupVoiceprints(g.name, bool(g.voiceprints), int(counts.get(g.id, 0)), int(people.get(g.id, 0)))
            for g in groups]


def person_has_voiceprints(session: Session, person: PersonRow) -> bool:
    return bool(session.scalar(select(func.count()).where(VoiceprintRow.person_id == person.id)))
