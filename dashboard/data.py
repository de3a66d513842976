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
    """Summaries of the stored sessions (newest first as the store returns them)."""
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


def forget_cached_reads() -> None:
    """Drop every cached read, after the dashboard changed the database."""
    for cached in (_session, _summaries, _groups, _trends, _export):
        cached.clear()


def rename_speaker(session_id: int, label: str, name: str) -> None:
    """Name a speaker of a session (persists to the database) and refresh every view."""
    store().rename_speaker(int(session_id), label, name)
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

    return export(_session(url, session_id), fmt, title=title)


def session_export(session_id: int, fmt: str, title: str | None = None) -> str:
    """A session as html (the self-contained report), json, csv, csv-turns, rttm, srt, vtt, md or txt,
    with the group's names."""
    return _export(db_url(), int(session_id), fmt, title)


def audio_file(session_id: int, result: SessionResult) -> Path | None:
    """The kept recording of a session, or None when its audio was not kept."""
    return store().audio_path(int(session_id))
