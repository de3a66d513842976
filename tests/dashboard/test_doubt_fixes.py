"""AppTest: the report's "may be one person" warning offers the merge itself, and the merge recomputes
the numbers; a speaker who "may be two people" is pointed to the split."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analyzer.core.schema import SpeakerConfidence
from analyzer.storage import SessionStore
from tests.conftest import write_tone_wav
from tests.dashboard.conftest import OPEN_MEETING, analyse_script
from tests.dashboard.test_pages import all_text, open_page


@pytest.fixture
def doubtful(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'doubts.db'}"
    store = SessionStore(url)
    result = analyse_script(write_tone_wav(tmp_path / "open.wav", 50.0), OPEN_MEETING)
    confidence = (SpeakerConfidence("SPEAKER_00", 0.9, 20, maybe_two=True),
                  SpeakerConfidence("SPEAKER_01", 0.5, 20, same_as="SPEAKER_02"),
                  SpeakerConfidence("SPEAKER_02", 0.5, 20, same_as="SPEAKER_01"))
    session = store.save(replace(result, diarization=replace(result.diarization, confidence=confidence)),
                         group="Coop", title="Schedule")
    monkeypatch.setenv("FLOORSHARE_DB", url)
    monkeypatch.delenv("FLOORSHARE_DASHBOARD_PASSWORD", raising=False)
    yield store, session
    store.close()


def test_the_warning_merges_the_pair_it_names(doubtful):
    store, session = doubtful
    before = store.load(session)
    speech = {s.speaker: s.speaking_time for s in before.metrics.speakers}
    keep, drop = sorted(("SPEAKER_01", "SPEAKER_02"), key=lambda label: -speech[label])
    at = open_page("app_pages/report.py", session=str(session))
    assert "may be the same person" in all_text(at)
    assert "Split a stretch" in all_text(at)  # the speaker who may be two people
    merge_buttons = [b for b in at.button if b.key.startswith(f"doubt_merge_{session}_")]
    assert [b.key for b in merge_buttons] == [f"doubt_merge_{session}_{keep}_{drop}"]  # one button per pair
    merge_buttons[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = store.load(session)
    assert after.diarization.speakers == tuple(sorted({"SPEAKER_00", keep}))
    merged = next(s for s in after.metrics.speakers if s.speaker == keep)
    assert merged.speaking_time == pytest.approx(speech["SPEAKER_01"] + speech["SPEAKER_02"], abs=0.05)
    assert not [b for b in at.button if b.key.startswith("doubt_merge_")]  # the pair is gone
