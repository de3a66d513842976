"""A recording's meeting date from its container (PyAV metadata), its file name or its file.

The rules and their order are :mod:`analyzer.core.dates` (pure); this module only reads the
container's tags with the same guarded PyAV opening as :mod:`analyzer.adapters.audio`.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.adapters.audio import _open_container
from analyzer.core.dates import MeetingDate, choose_date, date_from_metadata, date_from_name
from analyzer.core.errors import AudioError

# Metadata keys that carry a recording date, most specific first (FFmpeg lowercases most tags;
# Apple's voice memos also write com.apple.quicktime.creationdate, WAV INFO ICRD reads as "date").
DATE_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date", "creation_date", "recording_time",
             "icrd", "year_date")


def metadata_dates(path: str | Path) -> list[str]:
    """The date-like metadata values of a recording (container tags, then its audio stream's), in
    the order of :data:`DATE_TAGS`; empty when there are none or the file cannot be opened."""
    path = Path(path)
    try:
        with _open_container(path) as container:
            tag_sets = [dict(container.metadata)]
            tag_sets += [dict(stream.metadata) for stream in container.streams.audio[:1]]
    except AudioError:
        return []
    except Exception:  # noqa: BLE001 - unreadable metadata never stops an analysis
        return []
    values = []
    for tags in tag_sets:
        lowered = {str(k).lower(): str(v) for k, v in tags.items()}
        values += [lowered[key] for key in DATE_TAGS if lowered.get(key)]
    return values


def meeting_date(path: str | Path, given: str | None = None, *, display_name: str | None = None,
                 fallback_source: str = "file modified") -> MeetingDate:
    """The meeting's date by the rules of :mod:`analyzer.core.dates`: ``given``, else the recording's
    metadata, else a date in the file name (``display_name`` when the file is a renamed copy, such
    as an upload), else the file's modification time.

    Raises:
        ConfigError: ``given`` is not a date.
    """
    path = Path(path)
    if given:
        return choose_date(given=given)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = None
    return choose_date(metadata=date_from_metadata(metadata_dates(path)),
                       name=date_from_name(display_name or path.name), mtime=mtime, fallback_source=fallback_source)
