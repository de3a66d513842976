"""The voice-library half of :class:`analyzer.storage.SessionStore`: identify, confirm, reject,
corrections stored in place, the opt-in switch, enrolment and deletion of voiceprints.

A mixin: the methods run in the store's transactions (``self._run``); the rules are in
:mod:`analyzer.storage.voices` and the matching in :mod:`analyzer.voices.matching`.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analyzer.core.config import VoiceprintConfig
from analyzer.core.errors import StorageError
from analyzer.core.schema import SessionResult
import analyzer.storage.voices as voices
from analyzer.storage.convert import fill_session_row
from analyzer.storage.lookup import (
    DEFAULT_GROUP, _clean_name, _delete_person_if_unused, _get_or_create_person, _require_group,
    _require_session, _require_speaker,
)
from analyzer.storage.models import GroupRow, PersonRow, VoiceprintRow

T = TypeVar("T")


class VoiceLibraryMixin:
    """Voice-library methods of the sessions store."""

    voiceprint_config: VoiceprintConfig
    _run: Callable[..., object]

    def identify(self, result: SessionResult, group: str | None) -> SessionResult:
        """``result`` with its speakers matched to ``group``'s voice library (unchanged when the
        group does not exist, keeps no voiceprints, or the result has no voice embeddings)."""
        if not result.diarization.embeddings:
            return result

        def work(session: Session) -> SessionResult:
            row = session.scalar(select(GroupRow).where(GroupRow.name == _clean_name(group or DEFAULT_GROUP,
                                                                                      "group")))
            if row is None or not row.voiceprints:
                return result
            return voices.identify(session, row, result, self.voiceprint_config)
        return self._run(work, write=False)

    def confirm_speaker(self, session_id: int, label: str) -> str:
        """Confirm the suggested person of a speaker; that voice then joins the person's voiceprint."""
        def work(session: Session) -> str:
            row = _require_session(session, session_id)
            speaker = _require_speaker(row, label)
            if speaker.person is None:
                raise StorageError(f"session {session_id}: {label} is not matched to anyone; name them with "
                                   f"`floorshare speakers correct {session_id} {label} NAME`")
            speaker.match_status, speaker.placeholder = "confirmed", None
            voices.link_session_voiceprint(session, speaker, speaker.person)
            return speaker.person.name
        return self._run(work)

    def reject_speaker(self, session_id: int, label: str) -> str:
        """The suggested person is wrong: unlink it; the speaker becomes "New speaker N"."""
        def work(session: Session) -> str:
            row = _require_session(session, session_id)
            speaker = _require_speaker(row, label)
            previous = speaker.person
            speaker.person, speaker.match_confidence, speaker.match_status = None, None, "rejected"
            speaker.placeholder = voices.next_placeholder(row)
            session.flush()
            voices.link_session_voiceprint(session, speaker, None)
            session.flush()
            if previous is not None:
                _delete_person_if_unused(session, previous)
            return speaker.placeholder
        return self._run(work)

    def replace_result(self, session_id: int, result: SessionResult) -> None:
        """Store a corrected result in place of the session's (same id, group, title and date).

        Labels that remain keep their person, match and confirmed voiceprint; the voiceprints
        are rewritten from ``result.diarization.embeddings`` (see :meth:`load` ``with_voiceprints``).
        """
        def work(session: Session) -> None:
            row = _require_session(session, session_id)
            kept = {s.label: (s.person, s.match_status, s.match_confidence, s.placeholder) for s in row.speakers}
            confirmed = {vp.label: vp.person_id for vp in session.scalars(
                select(VoiceprintRow).where(VoiceprintRow.session_id == row.id))}
            session.execute(delete(VoiceprintRow).where(VoiceprintRow.session_id == row.id))
            for rel in ("speakers", "segments", "transcript_segments", "words", "turns", "interruptions",
                        "directives"):
                getattr(row, rel).clear()
            session.flush()
            fill_session_row(row, result)
            session.flush()
            previous_people = [p for p, *_ in kept.values() if p is not None]
            for speaker in row.speakers:
                person, status, confidence, placeholder = kept.get(speaker.label, (None, None, None, None))
                speaker.person, speaker.match_status = person, status
                speaker.match_confidence, speaker.placeholder = confidence, placeholder
                if person is None and placeholder is None and speaker.label in result.speaker_names:
                    name = result.speaker_names[speaker.label]
                    speaker.person = _get_or_create_person(session, row.group, _clean_name(name, "name"))
            session.flush()
            if row.group.voiceprints:
                voices.store_voiceprints(session, row.group, row, result, self.voiceprint_config)
                session.flush()
                for vp in session.scalars(select(VoiceprintRow).where(VoiceprintRow.session_id == row.id)):
                    if vp.person_id is None and confirmed.get(vp.label) is not None:
                        vp.person_id = confirmed[vp.label]
            session.flush()
            for person in {p.id: p for p in previous_people}.values():
                _delete_person_if_unused(session, person)
        self._run(work)

    def set_voiceprints(self, name: str, enabled: bool) -> int:
        """Turn a group's voiceprints on or off; turning them off deletes them (returns how many)."""
        def work(session: Session) -> int:
            group = _require_group(session, name)
            group.voiceprints = bool(enabled)
            return 0 if enabled else voices.delete_group_voiceprints(session, group)
        return self._run(work)

    def voiceprints_enabled(self, name: str) -> bool:
        """Whether the group keeps voiceprints (False for a group that does not exist yet)."""
        def work(session: Session) -> bool:
            group = session.scalar(select(GroupRow).where(GroupRow.name == name))
            return bool(group is not None and group.voiceprints)
        return self._run(work, write=False)

    def require_voiceprints(self, group: str) -> None:
        """A clear error unless the group exists and keeps voiceprints."""
        self._run(lambda s: voices.require_enabled(_require_group(s, group)), write=False)

    def voiceprint_inventory(self) -> list[voices.GroupVoiceprints]:
        """Per group: whether it keeps voiceprints, how many are stored and for how many people."""
        return self._run(voices.inventory, write=False)

    def voice_library(self, group: str) -> list[voices.LibraryEntry]:
        """The people of a group with confirmed voiceprints."""
        return self._run(lambda s: voices.library(s, _require_group(s, group)), write=False)

    def enrol(self, group: str, name: str, vector, speech_s: float, model: str) -> None:  # noqa: ANN001
        """Add an enrolment voiceprint for ``name`` (created if new) in a group that keeps voiceprints."""
        clean = _clean_name(name, "name")

        def work(session: Session) -> None:
            g = _require_group(session, group)
            voices.require_enabled(g)
            voices.enrol(session, g, _get_or_create_person(session, g, clean), list(vector), speech_s, model)
        self._run(work)

    def export_voiceprints(self, group: str, name: str | None = None) -> dict:
        """The group's confirmed voiceprints as plain data (one person's with ``name``), only on request:
        nothing else writes them out (:func:`analyzer.storage.voices.export`)."""
        def work(session: Session) -> dict:
            g = _require_group(session, group)
            if name is not None and session.scalar(
                    select(PersonRow).where(PersonRow.group_id == g.id, PersonRow.name == name)) is None:
                raise StorageError(f"group {group!r} has no person {name!r}; see `floorshare speakers library "
                                   f"--group {group}`")
            return voices.export(session, g, name)
        return self._run(work, write=False)

    def forget_voice(self, group: str, name: str) -> int:
        """Delete every voiceprint of one person of the group (their sessions stay); returns how many."""
        def work(session: Session) -> int:
            g = _require_group(session, group)
            person = session.scalar(select(PersonRow).where(PersonRow.group_id == g.id, PersonRow.name == name))
            if person is None:
                raise StorageError(f"group {group!r} has no person {name!r}; see `floorshare speakers library "
                                   f"--group {group}`")
            count = voices.delete_person_voiceprints(session, person)
            session.flush()
            _delete_person_if_unused(session, person)
            return count
        return self._run(work)
