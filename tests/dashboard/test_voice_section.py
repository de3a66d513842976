"""The report page's "How people sound" section, on a session stored with voice metrics."""

from __future__ import annotations

from array import array

from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.analysis import Analyzer
from analyzer.core.schema import VoiceFrames
from tests.conftest import FakeDiarizer, FakeProsody, FakeTranscriber, seg, words_from_script, write_tone_wav
from tests.dashboard.conftest import LED_MEETING
from tests.dashboard.test_pages import all_text, open_page


def _frames(speaker: str, start: float, end: float, raised: tuple[float, float] | None = None) -> VoiceFrames:
    levels = [-30.0 + (10.0 if raised and raised[0] <= start + i * 0.02 < raised[1] else 0.0)
              for i in range(int((end - start) / 0.02))]
    return VoiceFrames(speaker, start, 0.02, array("f", levels), array("f", [150.0] * len(levels)))


def _loud_analyzer() -> Analyzer:
    """The led meeting with fakes, one person 10 dB up at 0:32-0:36 (a raised-voice moment)."""
    words = words_from_script([(s, e, text) for s, e, _, text in LED_MEETING])
    segments = [seg(s, e, speaker) for s, e, speaker, _ in LED_MEETING]
    frames = [_frames(speaker, s, e, (32.0, 36.0) if s == 30.2 else None) for s, e, speaker, _ in LED_MEETING]
    return Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer(segments), FakeProsody(frames))


def test_the_report_lists_raised_voices_with_quotes(seeded, tmp_path):
    analyzer = _loud_analyzer()
    result = analyzer.analyze_file(write_tone_wav(tmp_path / "loud.wav", 72.0))
    session = seeded.store.save(result, group="Team", title="Loud planning")
    at = open_page("app_pages/report.py", session=str(session))
    assert "How people sound" in [s.value for s in at.subheader]
    raised = next(df.value for df in at.dataframe if "above own median" in df.value.columns)
    assert list(raised["person"]) == ["SPEAKER_00"] and "numbers" in raised["said"].iloc[0]
    assert "own median" in all_text(at)


def test_a_session_without_voice_metrics_has_no_voice_section(seeded):
    at = open_page("app_pages/report.py", session=str(seeded.open))
    assert "How people sound" not in [s.value for s in at.subheader] and _voice_notice(at) == []


def _voice_notice(at) -> list[str]:
    return [i.value for i in at.info if "voice figures" in str(i.value).lower()]


def _voice_tables(at) -> list:
    return [df for df in at.dataframe if {"pitch median", "above own median"} & set(df.value.columns)]


def test_a_correction_that_removed_the_voice_figures_says_why_on_the_report(seeded, tmp_path):
    """Before: the voice table and no notice. The recording is then deleted and two speakers merged on
    the page: the figures are gone (never stale), and the report says why, also on a later visit."""
    analyzer = _loud_analyzer()
    wav = write_tone_wav(tmp_path / "loud.wav", 72.0)
    session = seeded.store.save(analyzer.analyze_file(wav), group="Team", title="Loud planning")  # audio not kept
    at = open_page("app_pages/report.py", session=str(session))
    assert _voice_tables(at) and _voice_notice(at) == []

    wav.unlink()
    at.selectbox(key="merge_keep").set_value("SPEAKER_01").run()
    at.selectbox(key="merge_drop").set_value("SPEAKER_02").run()
    at.button(key="merge_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = seeded.store.load(session)
    assert stored.metrics.voice is None and stored.diarization.speakers == ("SPEAKER_00", "SPEAKER_01")
    for page in (at, open_page("app_pages/report.py", session=str(session))):  # now, and on a later visit
        notice = _voice_notice(page)
        assert len(notice) == 1, all_text(page)
        assert notice[0].startswith("Voice figures (energy, pitch, pace, raised voices) were removed")
        assert "loud.wav" in notice[0] and "no copy was kept" in notice[0]
        assert "analyse the recording again" in notice[0]
        assert "How people sound" in [s.value for s in page.subheader]
        assert _voice_tables(page) == []
