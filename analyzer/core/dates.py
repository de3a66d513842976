"""When a meeting took place: the rules that pick a session's date (pure, standard library only).

A copy, a download or an upload resets a file's modification time, so the date comes from,
in this order:

1. a date given by the user (``--date``, the dashboard's date field);
2. the recording's own metadata (``creation_time`` of mp4/m4a/mov, the ``date`` tag of
   mp3/flac/ogg/wav), read by :func:`analyzer.adapters.recording_date.metadata_dates`;
3. a date in the file name: ``2026-03-14`` (also with ``_`` or ``.``), ``20260314``, ``14.03.2026``,
   optionally followed by a time (``20260314_101500``, ``2026-03-14 10.15``);
4. the file's modification time.

Every date is stored as an ISO 8601 timestamp in UTC (``2026-03-14T10:15:00+00:00``); a date
without a time is midnight UTC of that day. :class:`MeetingDate` says which rule gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from analyzer.core.errors import ConfigError

GIVEN, METADATA, FILE_NAME, MODIFIED, UPLOADED = "given", "metadata", "file name", "file modified", "upload"
SOURCES = (GIVEN, METADATA, FILE_NAME, MODIFIED, UPLOADED)
SOURCE_WORDS = {
    GIVEN: "given by you",
    METADATA: "from the recording's metadata",
    FILE_NAME: "from the file name",
    MODIFIED: "from the file's modification time",
    UPLOADED: "the upload day",
}
EARLIEST_YEAR = 1990  # mp4 writers leave 1904-01-01 or 1970-01-01 when no date was set

_TIME = r"(?:[ _T-]+(?P<hh>[01]\d|2[0-3])[.:h-]?(?P<mi>[0-5]\d)(?:[.:m-]?(?P<ss>[0-5]\d))?)?"
_NAME_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-_.](?P<m>[01]\d)[-_.](?P<d>[0-3]\d)(?!\d)" + _TIME + r"(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)" + _TIME + r"(?!\d)"),
    re.compile(r"(?<!\d)(?P<d>[0-3]\d)\.(?P<m>[01]\d)\.(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME + r"(?!\d)"),
)
_PLAIN_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)$")


@dataclass(frozen=True, slots=True)
class MeetingDate:
    """A session's date (``when``: ISO 8601, UTC) and the rule that gave it (one of :data:`SOURCES`)."""

    when: str
    source: str

    @property
    def day(self) -> str:
        return self.when[:10]

    def describe(self) -> str:
        """``2026-03-14 (from the file name)``."""
        return f"{self.day} ({SOURCE_WORDS.get(self.source, self.source)})"


def to_utc_iso(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS+00:00`` (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat(timespec="seconds")


def _plausible(moment: datetime, now: datetime | None = None) -> bool:
    now = now or datetime.now(timezone.utc)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.year >= EARLIEST_YEAR and aware <= now + timedelta(days=1)


def parse_timestamp(text: str) -> datetime | None:
    """A date or date-time as metadata writers spell it (ISO 8601 with ``Z`` or an offset, a space
    instead of ``T``, or a plain ``YYYY-MM-DD``); None for anything else (a year alone is too vague)."""
    value = str(text).strip()
    if not value or len(value) < 10:
        return None
    value = value.replace("Z", "+00:00").replace("z", "+00:00")
    if _PLAIN_DATE.match(value):
        try:
            return datetime.combine(date.fromisoformat(value), time(), timezone.utc)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):  # EXIF and other writers
        try:
            return datetime.strptime(value[:19] if "%H" in fmt else value[:10], fmt)
        except ValueError:
            continue
    return None


def date_from_metadata(values: Iterable[str]) -> str | None:
    """The first plausible timestamp among metadata values (in the order given), as UTC ISO."""
    for value in values:
        moment = parse_timestamp(value)
        if moment is not None and _plausible(moment):
            return to_utc_iso(moment)
    return None


def date_from_name(name: str) -> str | None:
    """A date (and time, when one follows it) in a file name, as UTC ISO; None when there is none."""
    for pattern in _NAME_PATTERNS:
        for match in pattern.finditer(name):
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
                clock = time(int(match["hh"] or 0), int(match["mi"] or 0), int(match["ss"] or 0))
            except ValueError:
                continue
            moment = datetime.combine(day, clock, timezone.utc)
            if _plausible(moment):
                return to_utc_iso(moment)
    return None


def date_from_mtime(mtime: float) -> str:
    return to_utc_iso(datetime.fromtimestamp(mtime, timezone.utc))


def parse_given_date(text: str, *, what: str = "--date") -> str:
    """A date typed by the user (``2026-03-14``, ``2026-03-14T10:15``, ``14.03.2026``...) as UTC ISO.

    Raises:
        ConfigError: not a date, naming the value and the accepted forms.
    """
    value = str(text).strip()
    moment = parse_timestamp(value)
    if moment is None:
        named = date_from_name(value)
        if named is not None and len(value) <= 19:
            return named
        raise ConfigError(f"{what} {text!r}: not a date; give YYYY-MM-DD (for example 2026-03-14), "
                          "optionally with a time (2026-03-14T10:15)")
    return to_utc_iso(moment)


def choose_date(*, given: str | None = None, metadata: str | None = None, name: str | None = None,
                mtime: float | None = None, fallback_source: str = MODIFIED) -> MeetingDate:
    """Apply the order of the rules to what is known about a recording.

    ``given`` is parsed with :func:`parse_given_date`; ``metadata`` and ``name`` are already UTC ISO
    (from :func:`date_from_metadata` and :func:`date_from_name`); ``mtime`` is seconds since the
    epoch (None: now). ``fallback_source`` names the last rule (an upload has no modification time:
    :data:`UPLOADED`).
    """
    if given:
        return MeetingDate(parse_given_date(given), GIVEN)
    if metadata:
        return MeetingDate(metadata, METADATA)
    if name:
        return MeetingDate(name, FILE_NAME)
    moment = datetime.now(timezone.utc) if mtime is None else datetime.fromtimestamp(mtime, timezone.utc)
    return MeetingDate(to_utc_iso(moment), fallback_source)


def day_of(when: str) -> date:
    """The calendar day (UTC) of a stored timestamp."""
    return date.fromisoformat(str(when)[:10])
