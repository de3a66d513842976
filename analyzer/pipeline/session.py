"""The one path from a recording to a stored session: hash once, look up once, analyse, store.

The CLI (``floorshare analyze``), the dashboard's job queue and the batch runner all go
through this module. A batch splits the path over processes (the parent looks up and stores,
workers analyse), so it calls the three steps itself: :func:`look_up`, then
``Analyzer.analyze_file(path, sha256=...)`` in a worker (the hash travels with the task), then
:func:`store_result`; :func:`analyze_recording` chains the same three steps in one process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Protocol, Union

from analyzer.adapters.audio import check_readable, file_sha256
from analyzer.core.config import AnalysisConfig
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import SessionResult
from analyzer.pipeline.analysis import Analyzer, build_analyzer


class Store(Protocol):
    """What the session path needs of :class:`analyzer.storage.SessionStore`."""

    def find(self, sha256: str, config_hash: str) -> int | None: ...

    def load(self, session_id: int) -> SessionResult: ...

    def save(self, result: SessionResult, **options: object) -> int: ...

    def delete_session(self, session_id: int) -> None: ...

    def identify(self, result: SessionResult, group: str | None) -> SessionResult: ...


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """How a new session is stored.

    Attributes:
        group: the group to store it in (None: the store's default group).
        title: the session's title (None: the recording's file name without extension).
        keep_audio: also keep a copy of the recording with the session.
        recorded_at: when the meeting took place (ISO date or time; None: from the file).
        date_source: the rule that gave ``recorded_at`` (see :mod:`analyzer.core.dates`).
        replace_stale: delete a session stored earlier for this recording and configuration
            before saving (``floorshare batch --force``); without it the earlier one is kept.
    """

    group: str | None = None
    title: str | None = None
    keep_audio: bool = False
    recorded_at: str | None = None
    date_source: str | None = None
    replace_stale: bool = False


@dataclass(frozen=True, slots=True)
class Lookup:
    """A recording's content hash and, when the store holds it with this configuration, its session."""

    path: str
    sha256: str
    config_hash: str
    session_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredSession:
    """The outcome of :func:`analyze_recording`.

    Attributes:
        result: the session result (None only for a stored one asked for with ``load_stored=False``).
        session_id: the stored session (None when no store was given).
        already_stored: the store held it already, so nothing was analysed.
        meeting_date: the date a new session was stored with, when ``dating`` chose it.
    """

    result: SessionResult | None
    session_id: int | None
    already_stored: bool = False
    meeting_date: Any = None  # analyzer.core.dates.MeetingDate


AnalyzerSource = Union[Analyzer, Callable[[], Analyzer]]


def look_up(path: str | Path, config: AnalysisConfig, store: Store | None, *, force: bool = False) -> Lookup:
    """Hash ``path`` (once) and look it up in ``store`` (once) unless ``force`` or no store.

    Raises:
        AudioError: the file is missing, a folder, empty or unreadable.
        StorageError: the database cannot be read.
    """
    path = Path(path)
    check_readable(path)
    lookup = Lookup(str(path), file_sha256(path), config.config_hash())
    if force or store is None:
        return lookup
    return replace(lookup, session_id=store.find(lookup.sha256, lookup.config_hash))


def name_known_voices(store: Store, result: SessionResult, group: str | None) -> SessionResult:
    """``result`` with its speakers matched to the voices ``group`` keeps (unchanged for a group
    without voiceprints); done before storing so the outputs and the stored session agree."""
    return store.identify(result, group)


def store_result(store: Store, result: SessionResult, options: StoreOptions = StoreOptions(), *,
                 config_hash: str | None = None, audio_source: str | Path | None = None) -> int:
    """Save ``result`` (replacing a stale session of the same recording and settings when asked)."""
    if options.replace_stale:
        stale = store.find(result.recording.sha256, config_hash or "")
        if stale is not None:
            store.delete_session(stale)
    return int(store.save(result, group=options.group, title=options.title, keep_audio=options.keep_audio,
                          recorded_at=options.recorded_at, audio_source=audio_source,
                          date_source=options.date_source))


def analyze_recording(path: str | Path, *, config: AnalysisConfig | None = None,
                      analyzer: AnalyzerSource | None = None, store: Store | None = None, options: StoreOptions = StoreOptions(),
                      force: bool = False, hook: Hook = null_hook, name: str | None = None,
                      load_stored: bool = True, status: Callable[[str], None] | None = None,
                      dating: Callable[[], Any] | None = None) -> StoredSession:
    """Turn one recording into a stored session: the library call behind analyze and uploads.

    Args:
        path: the recording on disk (an upload staged in a temporary folder works).
        config: the analysis settings (default: :class:`AnalysisConfig`); their hash decides
            whether the store already has it.
        analyzer: a loaded :class:`Analyzer`, or a function that loads one (called only when
            the recording must be analysed, so a stored recording loads no model); default:
            the real models, :func:`~analyzer.pipeline.analysis.build_analyzer`.
        store: the sessions store; None analyses without storing.
        options: how a new session is stored.
        force: analyse again even when the store holds this recording with these settings.
        hook: progress callback ``hook(stage, completed, total)``.
        name: the path to record in the result (an upload's own file name, not its temporary path).
        load_stored: read back a session the store already holds (False: only its id is returned).
        status: told each step as it starts: ``"loading"`` (the models), ``"analysing"``, ``"saving"``.
        dating: chooses the meeting's date (a :class:`analyzer.core.dates.MeetingDate`) for a new
            session; called only when one is stored. None: ``options.recorded_at`` as it is.

    Raises:
        AnalyzerError: the recording cannot be analysed or the store cannot be used.
    """
    config = config or AnalysisConfig()
    found = look_up(path, config, store, force=force)
    shown = name or found.path
    if found.session_id is not None:
        stored = store.load(found.session_id) if load_stored else None
        if stored is not None:  # an identical file may have been stored under another name
            stored = replace(stored, recording=replace(stored.recording, path=shown))
        return StoredSession(stored, found.session_id, already_stored=True)
    tell = status or (lambda _step: None)
    tell("loading")
    if analyzer is None:
        loaded = build_analyzer(config)
    else:
        loaded = analyzer if hasattr(analyzer, "analyze_file") else analyzer()
    tell("analysing")
    result = loaded.analyze_file(path, hook=hook, config=config, sha256=found.sha256)
    if name is not None:
        result = replace(result, recording=replace(result.recording, path=name))
    if store is None:
        return StoredSession(result, None)
    result = name_known_voices(store, result, options.group)
    tell("saving")
    when = dating() if dating is not None else None
    if when is not None:
        options = replace(options, recorded_at=when.when, date_source=when.source)
    session_id = store_result(store, result, options, config_hash=found.config_hash, audio_source=path)
    return StoredSession(result, session_id, meeting_date=when)
