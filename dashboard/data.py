"""Cached access to the sessions database for the pages.

The store is one object per server process (``st.cache_resource``); reads are cached
with ``st.cache_data`` (bounded) and cleared after every write made from the
dashboard, so a rename or a deletion shows at once in every view.
The database URL comes from ``FLOORSHARE_DB`` (set by ``floorshare dashboard --db``).
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from analyzer.core.schema import SessionResult
from analyzer.storage import SessionStore

DB_ENV = "FLOORSHARE_DB"


def db_url() -> str | None:
    """The database URL the dashboard was started with (None: the store's default)."""
    return os.environ.get(DB_ENV, "").strip() or None


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> SessionStore:
    return SessionStore(url)


def store() -> SessionStore:
    """The server's one :class:`SessionStore` for the configured database."""
    return _store(db_url())


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _session(url: str | None, session_id: int) -> SessionResult:
    return _store(url).load(session_id)


def load_session(session_id: int) -> SessionResult:
    """A stored session with the group's speaker names filled in."""
    return _session(db_url(), int(session_id))


@st.cache_data(max_entries=16, ttl=60, show_spinner=False)
def _summaries(url: str | None, group: str | None) -> list:
    return list(_store(url).list_sessions(group=group))


def list_sessions(group: str | None = None) -> list:
    """Summaries of the stored sessions, oldest recording first (the store's order); ``group``'s only when given."""
    return _summaries(db_url(), group)


@st.cache_data(max_entries=4, ttl=60, show_spinner=False)
def _groups(url: str | None) -> list[str]:
    return [group_name(g) for g in _store(url).list_groups()]


def list_groups() -> list[str]:
    """Names of the groups in the database."""
    return _groups(db_url())


@st.cache_data(max_entries=16, ttl=60, show_spinner=False)
def _trends(url: str | None, group: str):
    return _store(url).trends(group)


def group_trends(group: str):
    """The store's trends of one group over its sessions."""
    return _trends(db_url(), group)


def group_name(group) -> str:  # noqa: ANN001 - a name or the store's group record
    """A group's name, whether the store lists names or records with a ``name``."""
    return group if isinstance(group, str) else str(getattr(group, "name"))


@st.cache_data(max_entries=32, ttl=60, show_spinner=False)
def _agreements(url: str | None, session_id: int):
    return _store(url).agreements(session_id)


def session_agreements(session_id: int):
    """The session judged by its group's agreements in force at its meeting (SessionAgreements)."""
    return _agreements(db_url(), int(session_id))


@st.cache_data(max_entries=16, ttl=60, show_spinner=False)
def _goal_versions(url: str | None, group: str) -> list:
    return list(_store(url).goal_versions(group))


def goal_versions(group: str) -> list:
    """Every version of a group's agreements, oldest first."""
    return _goal_versions(db_url(), group)


@st.cache_data(max_entries=16, ttl=60, show_spinner=False)
def _agreement_trend(url: str | None, group: str) -> list:
    return list(_store(url).agreement_trend(group))


def agreement_trend(group: str) -> list:
    """Each session of a group judged by the agreements in force at it, oldest meeting first."""
    return _agreement_trend(db_url(), group)


def set_goals(group: str, goals, valid_from: str | None = None):  # noqa: ANN001, ANN201
    """Store a new version of a group's agreements and refresh every view."""
    version = store().set_goals(group, goals, valid_from=valid_from)
    forget_cached_reads()
    return version


def forget_cached_reads() -> None:
    """Drop every cached read, after the dashboard changed the database."""
    for cached in (_session, _summaries, _groups, _trends, _export, _agreements, _goal_versions,
                   _agreement_trend):
        cached.clear()


def rename_speaker(session_id: int, label: str, name: str) -> None:
    """Name a speaker of a session (persists to the database) and refresh every view."""
    store().rename_speaker(int(session_id), label, name)
    forget_cached_reads()


def update_session(session_id: int, *, title: str | None = None, recorded_at: str | None = None) -> None:
    """Correct a session's title or meeting date (persists to the database) and refresh every view."""
    store().update_session(int(session_id), title=title, recorded_at=recorded_at)
    forget_cached_reads()


def delete_session(session_id: int) -> None:
    """Delete a session and everything derived from it."""
    store().delete_session(int(session_id))
    forget_cached_reads()


def create_group(name: str) -> None:
    """Create a group (no-op when it exists)."""
    if name not in list_groups():
        store().create_group(name)
    forget_cached_reads()


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _export(url: str | None, session_id: int, fmt: str, title: str | None) -> str:
    from analyzer.formats.exports import export

    agreements = _store(url).agreements(session_id) if fmt == "html" else None
    return export(_session(url, session_id), fmt, title=title, agreements=agreements)


def session_export(session_id: int, fmt: str, title: str | None = None) -> str:
    """A session as html (the self-contained report), json, csv, csv-turns, rttm, srt, vtt, md or txt,
    with the group's names."""
    return _export(db_url(), int(session_id), fmt, title)


def audio_file(session_id: int, result: SessionResult) -> Path | None:
    """The kept recording of a session, or None when its audio was not kept."""
    return store().audio_path(int(session_id))


def confirm_speaker(session_id: int, label: str) -> str:
    """Confirm a voice match (the person's voiceprint learns this voice)."""
    name = store().confirm_speaker(int(session_id), label)
    forget_cached_reads()
    return name


def reject_speaker(session_id: int, label: str) -> str:
    """Reject a voice match; the speaker becomes "New speaker N"."""
    placeholder = store().reject_speaker(int(session_id), label)
    forget_cached_reads()
    return placeholder


def correct_session(session_id: int, change) -> str:  # noqa: ANN001 - (SessionResult, voice) -> SessionResult
    """Apply a diarization correction (merge, split, re-assign) and store the recomputed session.

    Voice figures are measured again on the session's recording; returns a note when they had to be
    removed instead (the recording moved or changed), "" otherwise."""
    from analyzer.pipeline.revoice import RecordingVoice, voice_note

    s = store()
    loaded = s.load(int(session_id), with_voiceprints=True)
    voice = RecordingVoice(loaded, kept=s.audio_path(int(session_id)))
    corrected = change(loaded, voice)
    s.replace_result(int(session_id), corrected)
    forget_cached_reads()
    return voice_note(loaded, corrected, voice)


def group_voiceprints() -> dict[str, object]:
    """Per group: whether it keeps voiceprints and how many are stored (not cached: privacy page)."""
    return {g.group: g for g in store().voiceprint_inventory()}


def set_voiceprints(group: str, enabled: bool) -> int:
    """Turn a group's voiceprints on or off (off deletes them); returns how many were deleted."""
    deleted = store().set_voiceprints(group, enabled)
    forget_cached_reads()
    return deleted
