"""The sessions database: SQLAlchemy 2 tables (the Alembic migrations create exactly these).

A group has people and sessions; a session has its speakers (diarization labels,
optionally linked to a person of the group), diarization segments, transcript
segments, words, turns, interruptions and directive hits. Every child row is
deleted with its parent (``ON DELETE CASCADE``), so deleting a group or a
session leaves nothing behind. Times are float seconds.
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import JSON, Boolean, false, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

_CASCADE = "all, delete-orphan"


class Base(DeclarativeBase):
    """Declarative base of every Floorshare table."""


class GroupRow(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    # opt-in: keep voiceprints (biometric data) of this group's speakers to recognise them later
    voiceprints: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    people: Mapped[list[PersonRow]] = relationship(back_populates="group", cascade=_CASCADE,
                                                   passive_deletes=True)
    sessions: Mapped[list[SessionRow]] = relationship(back_populates="group", cascade=_CASCADE,
                                                      passive_deletes=True)
    goal_versions: Mapped[list[GroupGoalsRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                              order_by="GroupGoalsRow.version")


class GroupGoalsRow(Base):
    """One version of a group's agreements (``analyzer.metrics.agreements``), in force for meetings
    on or after ``valid_from`` (YYYY-MM-DD) until a later version; ``goals`` is a list of
    ``{"kind", "target"}``."""

    __tablename__ = "group_goals"
    __table_args__ = (UniqueConstraint("group_id", "version", name="uq_group_goals_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40))
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_people_group_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    group: Mapped[GroupRow] = relationship(back_populates="people")


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("sha256", "config_hash", name="uq_sessions_recording_config"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[str] = mapped_column(String(40))
    # where recorded_at came from (analyzer.core.dates.SOURCES); NULL for sessions stored before it was kept
    date_source: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    # recording
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    duration: Mapped[float] = mapped_column(Float)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    audio_file: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    # how it was made
    config_hash: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)
    schema_version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(20))
    language_probability: Mapped[float] = mapped_column(Float)
    diarization_speakers: Mapped[list[str]] = mapped_column(JSON)
    # metrics (NULL when the result had none)
    verdict: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    verdict_reasons: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    group_indices: Mapped[Optional[dict[str, float]]] = mapped_column(JSON, nullable=True)
    interruption_matrix: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    transitions: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    timeline: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON, nullable=True)

    group: Mapped[GroupRow] = relationship(back_populates="sessions")
    speakers: Mapped[list[SpeakerRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                      order_by="SpeakerRow.position")
    segments: Mapped[list[SegmentRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                      order_by="SegmentRow.position")
    transcript_segments: Mapped[list[TranscriptSegmentRow]] = relationship(
        cascade=_CASCADE, passive_deletes=True, order_by="TranscriptSegmentRow.position")
    words: Mapped[list[WordRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                order_by="WordRow.position")
    turns: Mapped[list[TurnRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                order_by="TurnRow.position")
    interruptions: Mapped[list[InterruptionRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                                order_by="InterruptionRow.position")
    directives: Mapped[list[DirectiveRow]] = relationship(cascade=_CASCADE, passive_deletes=True,
                                                          order_by="DirectiveRow.position")


class _SessionChild:
    """Columns every per-session row has: its session and its position in the session."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


def _session_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)


class SpeakerRow(_SessionChild, Base):
    """A diarization label of one session, its linked person and its metrics (``stats``)."""

    __tablename__ = "session_speakers"
    __table_args__ = (UniqueConstraint("session_id", "label", name="uq_speakers_session_label"),)

    session_id: Mapped[int] = _session_fk()
    label: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                     nullable=True, index=True)
    share: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    speaking_time: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    turns: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    interruptions_made: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    interruptions_received: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    directives: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    stats: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    # voice identification (groups with voiceprints): suggested / confirmed / rejected / new
    match_status: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    match_confidence: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    placeholder: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)  # "New speaker N"
    # how sure the diarization is that this label is one distinct person (0-1), and the details
    # (schema.SpeakerConfidence: nearest label, similarities, "same as", "maybe two"); None: not measured
    confidence: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    confidence_detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)

    person: Mapped[Optional[PersonRow]] = relationship()


class SegmentRow(_SessionChild, Base):
    """A diarization segment; ``exclusive`` tells which of the two tracks it belongs to."""

    __tablename__ = "diarization_segments"

    session_id: Mapped[int] = _session_fk()
    exclusive: Mapped[bool] = mapped_column(Boolean)
    speaker: Mapped[str] = mapped_column(String(100))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)


class TranscriptSegmentRow(_SessionChild, Base):
    __tablename__ = "transcript_segments"

    session_id: Mapped[int] = _session_fk()
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class WordRow(_SessionChild, Base):
    """A recognised word, the transcript segment it came in and the speaker it was given."""

    __tablename__ = "words"

    session_id: Mapped[int] = _session_fk()
    segment_position: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    probability: Mapped[float] = mapped_column(Float)
    speaker: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    coverage: Mapped[float] = mapped_column(Float)


class TurnRow(_SessionChild, Base):
    __tablename__ = "turns"

    session_id: Mapped[int] = _session_fk()
    turn_index: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(100))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)


class InterruptionRow(_SessionChild, Base):
    __tablename__ = "interruptions"

    session_id: Mapped[int] = _session_fk()
    time: Mapped[float] = mapped_column(Float)
    interrupter: Mapped[str] = mapped_column(String(100))
    interrupted: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(40))
    overlap: Mapped[float] = mapped_column(Float)


class DirectiveRow(_SessionChild, Base):
    __tablename__ = "directive_hits"

    session_id: Mapped[int] = _session_fk()
    time: Mapped[float] = mapped_column(Float)
    speaker: Mapped[str] = mapped_column(String(100))
    turn_index: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class VoiceprintRow(Base):
    """One voice embedding of a group that opted in: a session's speaker or an enrolment clip.

    ``person_id`` is set once a person confirmed who it is (naming, confirming or correcting
    the speaker, or enrolling); only such voiceprints make up the person's profile. Deleted
    with its group, its person and its session (``ON DELETE CASCADE``).
    """

    __tablename__ = "voiceprints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                                     nullable=True, index=True)
    session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"),
                                                      nullable=True, index=True)
    label: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    source: Mapped[str] = mapped_column(String(20))  # session | enrolment
    model: Mapped[str] = mapped_column(String(200))  # embedding model name and sha256 prefix
    vector: Mapped[list[float]] = mapped_column(JSON)
    speech_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[str] = mapped_column(String(40))


Index("ix_sessions_group_recorded", SessionRow.group_id, SessionRow.recorded_at)
