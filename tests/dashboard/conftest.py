"""A seeded sessions database for the dashboard tests, built through the real pipeline and store.

The pipeline runs with the fake diarizer and transcriber of tests/conftest.py (no models);
metrics, directives, the verdict and storage are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.analysis import Analyzer
from analyzer.storage import SessionStore
from tests.conftest import FakeDiarizer, FakeTranscriber, ROOT, seg, words_from_script, write_tone_wav

APP = ROOT / "dashboard" / "streamlit_app.py"

# A planning meeting led by one person: (start, end, speaker, text).
LED_MEETING = [
    (0.0, 20.0, "SPEAKER_00", "welcome everyone today we will review the budget and then plan the launch so "
                              "listen carefully"),
    (20.5, 25.0, "SPEAKER_01", "can you send me the draft by friday"),
    (24.5, 30.0, "SPEAKER_02", "sure I will send it tomorrow what about the numbers?"),
    (30.2, 45.0, "SPEAKER_00", "we need to finish the numbers first you need to check the totals and make sure "
                               "you update the sheet"),
    (45.5, 50.0, "SPEAKER_01", "yes"),
    (50.1, 58.0, "SPEAKER_02", "I think the launch could move a week later is that ok?"),
    (58.3, 70.0, "SPEAKER_00", "let's keep the date and send me the plan"),
]

# An open discussion where the floor moves around three people.
OPEN_MEETING = [
    (0.0, 6.0, "SPEAKER_00", "what do you all think about the new schedule"),
    (6.3, 12.0, "SPEAKER_01", "I like it but mornings are hard for me"),
    (12.2, 18.0, "SPEAKER_02", "mornings work for me and I can cover the early slot"),
    (18.3, 24.0, "SPEAKER_01", "that would help a lot thank you"),
    (24.2, 30.0, "SPEAKER_02", "do you think the afternoon slot is long enough"),
    (30.3, 36.0, "SPEAKER_00", "maybe we could add half an hour to it"),
    (36.2, 42.0, "SPEAKER_01", "half an hour sounds right to me"),
    (42.3, 48.0, "SPEAKER_02", "then we have a plan for next month"),
]


def analyse_script(path: Path, script, attendees: tuple[str, ...] = ()):
    """Run the real pipeline (fake models) on a tone wav with this script of turns."""
    words = words_from_script([(s, e, text) for s, e, _, text in script])
    segments = [seg(s, e, speaker) for s, e, speaker, _ in script]
    config = AnalysisConfig().with_updates(metrics={"attendees": attendees or None})
    analyzer = Analyzer(config, FakeTranscriber(words), FakeDiarizer(segments))
    return analyzer.analyze_file(path)


def fake_analyzer(script=LED_MEETING) -> Analyzer:
    """An analyzer whose models are fakes answering with ``script`` (for the Analyse page)."""
    words = words_from_script([(s, e, text) for s, e, _, text in script])
    segments = [seg(s, e, speaker) for s, e, speaker, _ in script]
    return Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer(segments))


@dataclass
class Seeded:
    url: str
    store: SessionStore
    led: int  # group Team, audio kept, SPEAKER_00 named Ana, one silent attendee
    open: int  # group Team, many to many
    other: int  # group Board


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> Seeded:
    """Three sessions in two groups in a temporary SQLite database; FLOORSHARE_DB points at it."""
    url = f"sqlite:///{tmp_path / 'floorshare.db'}"
    store = SessionStore(url)
    led = analyse_script(write_tone_wav(tmp_path / "led.wav", 72.0, freq=220.0), LED_MEETING,
                         attendees=("SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "Dev"))
    led_id = store.save(led, group="Team", title="Monday planning", keep_audio=True,
                        recorded_at="2026-11-02T09:00:00+00:00")
    open_id = store.save(analyse_script(write_tone_wav(tmp_path / "open.wav", 50.0, freq=330.0), OPEN_MEETING),
                         group="Team", title="Schedule chat", recorded_at="2026-11-09T09:00:00+00:00")
    other_id = store.save(analyse_script(write_tone_wav(tmp_path / "board.wav", 72.0, freq=440.0), LED_MEETING),
                          group="Board", title="Board review", recorded_at="2026-10-01T09:00:00+00:00")
    store.rename_speaker(led_id, "SPEAKER_00", "Ana")
    store.rename_speaker(open_id, "SPEAKER_00", "Ana")
    monkeypatch.setenv("FLOORSHARE_DB", url)
    monkeypatch.delenv("FLOORSHARE_DASHBOARD_PASSWORD", raising=False)
    yield Seeded(url=url, store=store, led=led_id, open=open_id, other=other_id)
    store.close()
