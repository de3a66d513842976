"""Meeting dates: metadata, then the file name, then the modification time; --date overrides."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from analyzer.core import dates
from analyzer.adapters.recording_date import meeting_date, metadata_dates
from analyzer.core.errors import ConfigError

MTIME = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc).timestamp()


def write_audio(path: Path, codec: str, tags: dict[str, str] | None = None, seconds: float = 1.0) -> Path:
    """A short real recording made with PyAV (a tone), with these container tags."""
    import av

    rate = 16_000
    with av.open(str(path), "w") as container:
        for key, value in (tags or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        tone = (0.2 * np.sin(2 * np.pi * 220 * np.arange(int(rate * seconds)) / rate)).astype(np.float32)
        if codec.startswith("pcm") or codec == "flac":
            frame = av.AudioFrame.from_ndarray((tone * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        else:
            frame = av.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    os.utime(path, (MTIME, MTIME))
    return path


@pytest.mark.parametrize("name, expected", [
    ("meeting 2026-03-14.m4a", "2026-03-14T00:00:00+00:00"),
    ("board_2026_03_14.wav", "2026-03-14T00:00:00+00:00"),
    ("20260314_101500.m4a", "2026-03-14T10:15:00+00:00"),  # Android's recorder
    ("Recording 20260314.mp3", "2026-03-14T00:00:00+00:00"),
    ("Sitzung 14.03.2026.ogg", "2026-03-14T00:00:00+00:00"),
    ("team 2026-03-14 10.15.wav", "2026-03-14T10:15:00+00:00"),
])
def test_a_date_in_the_file_name_is_found_in_each_spelling(name, expected):
    assert dates.date_from_name(name) == expected


@pytest.mark.parametrize("name", ["meeting.wav", "take 12345678.wav", "2026-13-40.wav", "track 20261399.mp3",
                                  "id 120260314.wav", "31.02.2026.wav", "2099-01-01.wav"])
def test_names_without_a_real_past_date_give_none(name):
    assert dates.date_from_name(name) is None


@pytest.mark.parametrize("value, expected", [
    ("2026-03-14T10:15:00.000000Z", "2026-03-14T10:15:00+00:00"),
    ("2026-03-14T11:15:00+01:00", "2026-03-14T10:15:00+00:00"),
    ("2026-03-14 10:15:00", "2026-03-14T10:15:00+00:00"),
    ("2026-03-14", "2026-03-14T00:00:00+00:00"),
])
def test_metadata_timestamps_become_utc(value, expected):
    assert dates.date_from_metadata([value]) == expected


def test_unset_or_vague_metadata_dates_are_skipped():
    # mp4 writers leave the 1904/1970 epoch when no date was set; a year alone is too vague
    assert dates.date_from_metadata(["1904-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026", "soon"]) is None
    assert dates.date_from_metadata(["1970-01-01T00:00:00Z", "2026-03-14"]) == "2026-03-14T00:00:00+00:00"


def test_m4a_with_creation_time_uses_the_metadata_over_the_name_and_mtime(tmp_path):
    path = write_audio(tmp_path / "2025-01-01 copy.m4a", "aac", {"creation_time": "2026-03-14T10:15:00.000000Z"})
    assert "2026-03-14T10:15:00.000000Z" in metadata_dates(path)
    when = meeting_date(path)
    assert (when.when, when.source) == ("2026-03-14T10:15:00+00:00", dates.METADATA)
    assert when.describe() == "2026-03-14 (from the recording's metadata)"


@pytest.mark.parametrize("codec, suffix", [("mp3", ".mp3"), ("flac", ".flac"), ("pcm_s16le", ".wav")])
def test_date_tags_of_other_formats_are_read(tmp_path, codec, suffix):
    path = write_audio(tmp_path / f"meeting{suffix}", codec, {"date": "2026-03-16"})
    assert meeting_date(path) == dates.MeetingDate("2026-03-16T00:00:00+00:00", dates.METADATA)


def test_without_metadata_the_file_name_then_the_modification_time_decide(tmp_path):
    named = write_audio(tmp_path / "team 14.03.2026.m4a", "aac")
    assert metadata_dates(named) == []  # nothing date-like in the container
    assert meeting_date(named) == dates.MeetingDate("2026-03-14T00:00:00+00:00", dates.FILE_NAME)
    plain = write_audio(tmp_path / "meeting.wav", "pcm_s16le")
    assert meeting_date(plain) == dates.MeetingDate("2025-07-01T12:00:00+00:00", dates.MODIFIED)


def test_an_upload_takes_the_date_from_its_original_name_else_the_upload_day(tmp_path):
    staged = write_audio(tmp_path / "upload-tmp.wav", "pcm_s16le")
    assert meeting_date(staged, display_name="board 20260301.wav", fallback_source=dates.UPLOADED) == \
        dates.MeetingDate("2026-03-01T00:00:00+00:00", dates.FILE_NAME)
    assert meeting_date(staged, display_name="board.wav", fallback_source=dates.UPLOADED).source == dates.UPLOADED


def test_a_given_date_overrides_everything_and_bad_ones_are_one_line_errors(tmp_path):
    path = write_audio(tmp_path / "x.m4a", "aac", {"creation_time": "2026-03-14T10:15:00Z"})
    assert meeting_date(path, "2026-02-01") == dates.MeetingDate("2026-02-01T00:00:00+00:00", dates.GIVEN)
    assert dates.parse_given_date("14.03.2026") == "2026-03-14T00:00:00+00:00"
    assert dates.parse_given_date("2026-03-14T10:15") == "2026-03-14T10:15:00+00:00"
    with pytest.raises(ConfigError, match=r"--date 'next tuesday': not a date; give YYYY-MM-DD"):
        dates.parse_given_date("next tuesday")


def test_metadata_of_a_file_that_is_not_audio_is_empty(tmp_path):
    text = tmp_path / "notes 2026-03-14.wav"
    text.write_text("not audio")
    assert metadata_dates(text) == []
    assert meeting_date(text).source == dates.FILE_NAME
