"""The sessions store: save, find, list, load, rename speakers, delete (library API).

Every write is one transaction; on SQLite it starts with ``BEGIN IMMEDIATE`` and a
locked or busy database is retried, so concurrent worker processes never lose a
result. A recording analysed again with the same configuration returns the
stored session; a different configuration makes a new version of it.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from analyzer.core.config import AnalysisConfig, VoiceprintConfig
from analyzer.core.errors import ConfigError, StorageError
from analyzer.core.schema import SessionResult, SpeakerMatch
import analyzer.storage.voices as voices
from analyzer.storage.convert import fill_session_row, result_from_row
from analyzer.storage.lookup import (
    DEFAULT_GROUP, _clean_name, _delete_person_if_unused, _get_or_create_group, _get_or_create_person,
    _link_people, _missing_session, _now, _require_group, _require_session,
)
from analyzer.storage.voice_store import VoiceLibraryMixin
from analyzer.storage.engine import data_dir, default_db_url, ensure_schema, make_engine, normalize_url
from analyzer.storage.models import GroupRow, PersonRow, SessionRow, SpeakerRow, VoiceprintRow

RETRIES = 12
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One stored session as listings show it (``id`` is what every command takes)."""

    id: int
    group: str
    title: str
    recorded_at: str
    created_at: str
    duration: float
    num_speakers: int
    verdict: str | None
    sha256: str
    config_hash: str
    version: int = 1
    date_source: str | None = None  # analyzer.core.dates.SOURCES; None for sessions stored before it was kept


def result_config_hash(result: SessionResult) -> str:
    """The :meth:`AnalysisConfig.config_hash` of the configuration stored in ``result``."""
    try:
        return AnalysisConfig.from_dict(result.config).config_hash()
    except (ConfigError, TypeError):  # a config written by another version: hash it as it is
        data = {k: v for k, v in result.config.items() if k != "device"}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class SessionStore(VoiceLibraryMixin):
    """Sessions, groups and people in one database (SQLite file by default, or PostgreSQL).

    Args:
        url: SQLAlchemy URL or SQLite file path; ``None`` uses ``$FLOORSHARE_DB`` or the
            default file in the user's data directory. The schema is upgraded on open.
        audio_dir: where ``keep_audio=True`` copies recordings (default: next to a SQLite
            file, else the user's data directory).
    """

    def __init__(self, url: str | None = None, *, audio_dir: str | Path | None = None,
                 voiceprints: VoiceprintConfig | None = None) -> None:
        self.voiceprint_config = voiceprints or VoiceprintConfig()
        self.url = normalize_url(url) if url else default_db_url()
        self.engine = make_engine(self.url)
        ensure_schema(self.engine)
        self.audio_dir = Path(audio_dir) if audio_dir else self._default_audio_dir()

    def _default_audio_dir(self) -> Path:
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            return Path(database).with_name(Path(database).name + "-audio")
        return data_dir() / "audio"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------

    def _run(self, work: Callable[[Session], T], *, write: bool = True) -> T:
        """Run ``work`` in one transaction, retrying while the database is locked or busy."""
        delay = 0.05
        for attempt in range(RETRIES):
            try:
                with self.engine.connect() as conn:
                    if write:
                        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                    with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                        return work(session)
            except (OperationalError, IntegrityError) as exc:
                if attempt == RETRIES - 1 or not _transient(exc):
                    raise self._error(exc) from None
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 2.0)
            except SQLAlchemyError as exc:
                raise self._error(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, exc: SQLAlchemyError) -> StorageError:
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        where = self.engine.url.render_as_string(hide_password=True)
        return StorageError(f"{where}: database operation failed ({text[0] if text else type(exc).__name__}); "
                            "retry, or check the database given by --db / FLOORSHARE_DB")

    # -- sessions -----------------------------------------------------------------------------

    def find(self, sha256: str, config_hash: str) -> int | None:
        """The id of the session of this recording analysed with this configuration, if stored."""
        return self._run(lambda s: s.scalar(select(SessionRow.id).where(
            SessionRow.sha256 == sha256, SessionRow.config_hash == config_hash)), write=False)

    def save(self, result: SessionResult, *, group: str | None = None, title: str | None = None,
             keep_audio: bool = False, recorded_at: str | None = None,
             audio_source: str | Path | None = None, date_source: str | None = None) -> int:
        """Store ``result`` in ``group`` (default group ``default``) and return its session id.

        ``recorded_at`` is the meeting's date (ISO 8601; see :mod:`analyzer.core.dates` for how callers
        choose it) and ``date_source`` the rule that gave it (default ``given`` when a date is passed);
        without one, the recording's modification time.

        With ``keep_audio`` the recording is copied from ``audio_source`` (default: the
        result's recording path), so a temporary upload can be kept under its real name.

        The same recording (sha256) with the same configuration hash returns the existing id;
        speaker names in ``result.speaker_names`` link those labels to people of the group.
        In a group that keeps voiceprints, the speakers are matched to the group's voice
        library (unless ``result.speaker_matches`` already says who they are, see
        :meth:`identify`) and each speaker's voice embedding is kept as a voiceprint.
        """
        config_hash = result_config_hash(result)
        audio_file = self._keep_audio(result, audio_source) if keep_audio else None
        when = recorded_at or _recorded_at(result)
        stored_before: list[int] = []
        source = date_source or ("given" if recorded_at else "file modified")

        def work(session: Session) -> int:
            # the one lookup of a save, inside its write transaction (callers looked up already)
            found = session.scalar(select(SessionRow.id).where(
                SessionRow.sha256 == result.recording.sha256, SessionRow.config_hash == config_hash))
            if found is not None:
                stored_before.append(found)
                return found
            group_row = _get_or_create_group(session, _clean_name(group or DEFAULT_GROUP, "group"))
            versions = session.scalar(select(func.count()).where(SessionRow.sha256 == result.recording.sha256))
            row = SessionRow(group=group_row, title=title or Path(result.recording.path).stem or "session",
                             recorded_at=when, date_source=source, created_at=_now(), version=(versions or 0) + 1,
                             config_hash=config_hash, audio_file=str(audio_file) if audio_file else None)
            fill_session_row(row, result)
            session.add(row)
            session.flush()
            named = result
            if group_row.voiceprints and result.diarization.embeddings and not result.speaker_matches:
                named = voices.identify(session, group_row, result, self.voiceprint_config)
            _link_people(session, group_row, row, named)
            session.flush()
            if group_row.voiceprints:
                voices.store_voiceprints(session, group_row, row, named, self.voiceprint_config)
            return row.id

        try:
            session_id = self._run(work)
        except StorageError:
            if audio_file:
                self._remove_audio_if_unused([str(audio_file)])
            raise
        if stored_before and audio_file:  # stored already: a copy made just now may be unused
            self._remove_audio_if_unused([str(audio_file)])
        return session_id

    def _keep_audio(self, result: SessionResult, audio_source: str | Path | None) -> Path:
        source = Path(audio_source or result.recording.path)
        target = self.audio_dir / f"{result.recording.sha256}{source.suffix.lower()}"
        try:
            self.audio_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not target.exists():
                tmp = target.with_name(f"{target.name}.{random.randrange(1 << 30)}.tmp")
                shutil.copyfile(source, tmp)
                tmp.replace(target)
        except OSError as exc:
            raise StorageError(f"{source}: cannot keep the audio in {self.audio_dir} ({exc.strerror}); "
                               "check the file still exists, or leave out --keep-audio") from None
        return target

    def audio_path(self, session_id: int) -> Path | None:
        """The kept recording of a session, or None when its audio was not kept (or is gone)."""
        def work(session: Session) -> str | None:
            return _require_session(session, session_id).audio_file

        stored = self._run(work, write=False)
        return Path(stored) if stored and Path(stored).is_file() else None

    def list_sessions(self, group: str | None = None) -> list[SessionSummary]:
        """Stored sessions, oldest recording first; only ``group``'s when given."""
        def work(session: Session) -> list[SessionSummary]:
            query = select(SessionRow, GroupRow.name).join(GroupRow)
            if group is not None:
                _require_group(session, group)
                query = query.where(GroupRow.name == group)
            rows = session.execute(query.order_by(SessionRow.recorded_at, SessionRow.id)).all()
            return [_summary(row, name) for row, name in rows]
        return self._run(work, write=False)

    def summary(self, session_id: int) -> SessionSummary:
        """The listing row of one session."""
        def work(session: Session) -> SessionSummary:
            row = _require_session(session, session_id)
            return _summary(row, row.group.name)
        return self._run(work, write=False)

    def load(self, session_id: int, *, with_voiceprints: bool = False) -> SessionResult:
        """The stored result, with ``speaker_names`` filled from the people its labels link to.

        ``with_voiceprints`` also fills ``diarization.embeddings`` from the session's
        voiceprints (for corrections, which must carry them over)."""
        def work(session: Session) -> SessionResult:
            row = session.scalar(select(SessionRow).where(SessionRow.id == session_id).options(
                selectinload(SessionRow.speakers).selectinload(SpeakerRow.person),
                *(selectinload(getattr(SessionRow, rel)) for rel in (
                    "segments", "transcript_segments", "words", "turns", "interruptions", "directives"))))
            if row is None:
                raise _missing_session(session_id)
            names = {s.label: s.person.name if s.person is not None else s.placeholder
                     for s in row.speakers if s.person is not None or s.placeholder}
            matches = {s.label: SpeakerMatch(s.person.name if s.person is not None else None,
                                             s.match_confidence, s.match_status)
                       for s in row.speakers if s.match_status}
            result = replace(result_from_row(row, names), speaker_matches=matches)
            if with_voiceprints:
                vectors = {vp.label: tuple(vp.vector) for vp in session.scalars(
                    select(VoiceprintRow).where(VoiceprintRow.session_id == session_id))}
                result = replace(result, diarization=replace(result.diarization, embeddings=vectors))
            return result
        return self._run(work, write=False)

    def rename_speaker(self, session_id: int, label: str, name: str) -> None:
        """Link ``label`` of the session to the person ``name`` of its group (created if new)."""
        clean = _clean_name(name, "name")

        def work(session: Session) -> None:
            row = _require_session(session, session_id)
            speaker = next((s for s in row.speakers if s.label == label), None)
            if speaker is None:
                labels = ", ".join(s.label for s in row.speakers) or "none"
                raise StorageError(f"session {session_id} has no speaker {label!r}; its labels: {labels}")
            if speaker.person is None and speaker.placeholder == clean:
                return  # the "New speaker N" placeholder was handed back unchanged
            previous = speaker.person
            speaker.person = _get_or_create_person(session, row.group, clean)
            if speaker.match_status is not None or row.group.voiceprints:
                if previous is None or previous.id != speaker.person.id:
                    speaker.match_confidence = None
                speaker.match_status, speaker.placeholder = "confirmed", None
            session.flush()
            voices.link_session_voiceprint(session, speaker, speaker.person)
            session.flush()
            if previous is not None and previous.id != speaker.person.id:
                _delete_person_if_unused(session, previous)
        self._run(work)

    def update_session(self, session_id: int, *, title: str | None = None,
                       recorded_at: str | None = None) -> SessionSummary:
        """Change a session's title and/or meeting date (ISO 8601, see :func:`analyzer.core.dates.parse_given_date`);
        a date set here is marked as given. Returns the updated listing row."""
        clean_title = _clean_name(title, "title", 300) if title is not None else None

        def work(session: Session) -> SessionSummary:
            row = _require_session(session, session_id)
            if clean_title is not None:
                row.title = clean_title
            if recorded_at is not None:
                row.recorded_at, row.date_source = recorded_at, "given"
            session.flush()
            return _summary(row, row.group.name)
        return self._run(work)

    def delete_session(self, session_id: int) -> None:
        """Delete the session, every row derived from it and its kept audio file."""
        def work(session: Session) -> list[str]:
            row = _require_session(session, session_id)
            files = [row.audio_file] if row.audio_file else []
            session.delete(row)
            return files
        self._remove_audio_if_unused(self._run(work))

    # -- groups -------------------------------------------------------------------------------

    def list_groups(self) -> list[str]:
        return self._run(lambda s: list(s.scalars(select(GroupRow.name).order_by(GroupRow.name))),
                         write=False)

    def create_group(self, name: str, *, voiceprints: bool = False) -> bool:
        """Create the group (``voiceprints``: it keeps its speakers' voiceprints); False when it existed."""
        clean = _clean_name(name, "group")

        def work(session: Session) -> bool:
            if session.scalar(select(GroupRow.id).where(GroupRow.name == clean)) is not None:
                return False
            session.add(GroupRow(name=clean, created_at=_now(), voiceprints=bool(voiceprints)))
            return True
        return self._run(work)

    def delete_group(self, name: str) -> None:
        """Delete the group with its people, sessions, every derived row and kept audio."""
        def work(session: Session) -> list[str]:
            group = _require_group(session, name)
            files = list(session.scalars(select(SessionRow.audio_file).where(
                SessionRow.group_id == group.id, SessionRow.audio_file.is_not(None))))
            session.execute(delete(SessionRow).where(SessionRow.group_id == group.id))
            session.delete(group)
            return files
        self._remove_audio_if_unused(self._run(work))

    def people(self, group: str) -> list[str]:
        """Names of the people of ``group``."""
        def work(session: Session) -> list[str]:
            g = _require_group(session, group)
            return list(session.scalars(select(PersonRow.name).where(PersonRow.group_id == g.id)
                                        .order_by(PersonRow.name)))
        return self._run(work, write=False)

    def trends(self, group: str):  # noqa: ANN201 - GroupTrends (imported lazily to keep modules small)
        """Balance indices, verdicts and each person's numbers over the group's sessions."""
        from analyzer.storage.trends import build_trends

        return self._run(lambda s: build_trends(s, _require_group(s, group)), write=False)

    # -- agreements ---------------------------------------------------------------------------

    def set_goals(self, group: str, goals, *, valid_from: str | None = None):  # noqa: ANN001, ANN201
        """Store ``goals`` (:class:`analyzer.metrics.agreements.Goal`) as the group's next version of
        its agreements, in force for meetings on or after ``valid_from`` (YYYY-MM-DD, default today);
        the group is created if new. Returns the new :class:`GoalVersion`."""
        from analyzer.storage.agreements import add_version

        clean = _clean_name(group, "group")
        return self._run(lambda s: add_version(s, _get_or_create_group(s, clean), tuple(goals),
                                                          valid_from, _now()))

    def goal_versions(self, group: str) -> list:
        """Every version of the group's agreements, oldest first."""
        from analyzer.storage.agreements import versions

        return self._run(lambda s: versions(s, _require_group(s, group)), write=False)

    def agreements(self, session_id: int):  # noqa: ANN201 - SessionAgreements
        """The session judged by its group's goals in force at its meeting date, and what moved since
        the group's previous meeting."""
        from analyzer.storage.agreements import session_agreements

        return self._run(lambda s: session_agreements(s, _require_session(s, session_id)),
                         write=False)

    def agreement_trend(self, group: str) -> list:
        """Each session of the group (oldest meeting first) judged by the goals in force at it."""
        from analyzer.storage.agreements import group_points

        return self._run(lambda s: group_points(s, _require_group(s, group)), write=False)

    def _remove_audio_if_unused(self, files: list[str]) -> None:
        for file in files:
            still_used = self._run(lambda s, f=file: s.scalar(
                select(func.count()).where(SessionRow.audio_file == f)), write=False)
            if not still_used:
                Path(file).unlink(missing_ok=True)


def _transient(exc: SQLAlchemyError) -> bool:
    """A locked/busy SQLite database, a PostgreSQL serialization failure or deadlock, or a
    unique-key race (the retry then finds the row the other writer committed)."""
    if isinstance(exc, IntegrityError):
        return "unique" in str(exc.orig).lower() or getattr(exc.orig, "sqlstate", None) == "23505"
    text = str(exc.orig).lower()
    return ("locked" in text or "busy" in text
            or getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"))


def _recorded_at(result: SessionResult) -> str:
    path = Path(result.recording.path)
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
    except OSError:
        return result.provenance.created_at or _now()


def _summary(row: SessionRow, group: str) -> SessionSummary:
    return SessionSummary(id=row.id, group=group, title=row.title, recorded_at=row.recorded_at,
                          created_at=row.created_at, duration=row.duration,
                          num_speakers=len(row.diarization_speakers or ()), verdict=row.verdict,
                          sha256=row.sha256, config_hash=row.config_hash, version=row.version,
                          date_source=row.date_source)

