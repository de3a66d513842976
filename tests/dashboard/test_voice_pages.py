"""AppTest of the voice library on the dashboard: a second meeting's report names the people named in
the first, confirm / reject / merge from the report page, and the opt-in switch on Settings & privacy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.storage import SessionStore
from tests.conftest import write_tone_wav
from tests.dashboard.conftest import OPEN_MEETING, analyse_script
from tests.dashboard.test_pages import all_text, open_page

RNG = np.random.default_rng(11)
VOICES = [RNG.normal(size=32) for _ in range(3)]


def with_voices(result, order, seed):
    noise = np.random.default_rng(seed)
    emb = {f"SPEAKER_0{i}": tuple(float(x) for x in VOICES[v] + 0.2 * noise.normal(size=32))
           for i, v in enumerate(order)}
    return replace(result, diarization=replace(result.diarization, embeddings=emb))


@pytest.fixture
def voices(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'voices.db'}"
    store = SessionStore(url)
    store.create_group("Coop", voiceprints=True)
    store.create_group("Board")
    first = store.save(with_voices(analyse_script(write_tone_wav(tmp_path / "w1.wav", 50.0), OPEN_MEETING),
                                   (0, 1, 2), 1), group="Coop", title="Week 1")
    for label, name in (("SPEAKER_00", "Ana"), ("SPEAKER_01", "Ben"), ("SPEAKER_02", "Cy")):
        store.rename_speaker(first, label, name)
    second = store.save(with_voices(analyse_script(write_tone_wav(tmp_path / "w2.wav", 50.0, freq=330.0),
                                                   OPEN_MEETING), (2, 0, 1), 2), group="Coop", title="Week 2")
    monkeypatch.setenv("FLOORSHARE_DB", url)
    monkeypatch.delenv("FLOORSHARE_DASHBOARD_PASSWORD", raising=False)
    yield store, first, second
    store.close()


def test_second_meeting_report_names_people_and_confirms(voices):
    store, _, second = voices
    at = open_page("app_pages/report.py", session=str(second))
    text = all_text(at)
    assert "Who is who" in [s.value for s in at.subheader]
    assert "**Cy** (SPEAKER_00)" in text and "suggested: please confirm" in text and "confidence 0.9" in text
    share_table = next(df.value for df in at.dataframe if "share (%)" in df.value.columns)
    assert {"Ana", "Ben", "Cy"} <= set(share_table["person"])
    at.button(key=f"confirm_{second}_SPEAKER_00").click().run()
    assert not at.exception
    assert store.load(second).speaker_matches["SPEAKER_00"].status == "confirmed"
    at.button(key=f"reject_{second}_SPEAKER_01").click().run()
    loaded = store.load(second)
    assert loaded.speaker_matches["SPEAKER_01"].person is None
    assert loaded.speaker_names["SPEAKER_01"].startswith("New speaker")


def test_merge_on_the_report_page_recomputes_the_numbers(voices):
    store, _, second = voices
    at = open_page("app_pages/report.py", session=str(second))
    at.selectbox(key="merge_keep").set_value("SPEAKER_01").run()
    at.selectbox(key="merge_drop").set_value("SPEAKER_02").run()
    at.button(key="merge_button").click().run()
    assert not at.exception
    loaded = store.load(second)
    assert loaded.diarization.speakers == ("SPEAKER_00", "SPEAKER_01")
    share_table = next(df.value for df in at.dataframe if "share (%)" in df.value.columns)
    merged = next(s for s in loaded.metrics.speakers if s.speaker == "SPEAKER_01")
    row = share_table[share_table["person"] == loaded.speaker_names["SPEAKER_01"]].iloc[0]
    assert row["share (%)"] == pytest.approx(round(100 * merged.share, 1)) and merged.share > 0.5


def test_settings_lists_voiceprints_and_switches_them_off(voices):
    store, _, _ = voices
    at = open_page("app_pages/settings.py")
    assert "Voiceprints" in [s.value for s in at.subheader]
    text = all_text(at)
    assert "6 voiceprint(s) stored, of 3 named person(s)" in text
    assert at.toggle(key="voiceprints_Coop").value is True and at.toggle(key="voiceprints_Board").value is False
    at.toggle(key="voiceprints_Coop").set_value(False).run()
    assert not at.exception
    assert not store.voiceprints_enabled("Coop") and store.voiceprint_inventory()[1].voiceprints == 0
    at.toggle(key="voiceprints_Board").set_value(True).run()
    assert store.voiceprints_enabled("Board")
