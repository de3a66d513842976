"""Voice metrics on hand-built frames (pure), the pipeline's prosody stage with a fake, and result.json."""

from __future__ import annotations

import json
from array import array

import pytest

from analyzer.core.config import AnalysisConfig, VoiceConfig
from analyzer.metrics.turns import FloorTurn
from analyzer.metrics.voice import count_syllables, heated_stretches, solo_speech, voice_metrics
from analyzer.pipeline.analysis import Analyzer
from analyzer.core.schema import Diarization, Interruption, RaisedVoice, SpeakerWord, VoiceFrames, Word
from analyzer.formats.serialize import result_from_dict, result_to_dict, write_result_json
from tests.conftest import FakeDiarizer, FakeProsody, FakeTranscriber, seg, words_from_script, write_tone_wav

HOP = 0.02


def frames(speaker: str, start: float, levels: list[float], pitch: float = 150.0) -> VoiceFrames:
    return VoiceFrames(speaker, start, HOP, array("f", levels), array("f", [pitch] * len(levels)))


def steady(speaker: str, start: float, seconds: float, level: float = -30.0, raised: tuple = ()) -> VoiceFrames:
    """A level track with optional (from_s, to_s, +dB) changes (seconds from ``start``)."""
    out = []
    for i in range(int(seconds / HOP)):
        t = i * HOP
        out.append(level + sum(db for a, b, db in raised if a <= t < b))
    return frames(speaker, start, out)


def metrics(voice_frames, people, words=(), counts=None, times=None, interruptions=(), floor=(), duration=60.0,
            config=None):
    return voice_metrics(voice_frames, people=people, words=list(words), word_counts=counts or {},
                         speaking_times=times or {}, interruptions=list(interruptions), floor=list(floor),
                         duration=duration, config=config or VoiceConfig())


def test_raised_moment_needs_n_db_for_m_seconds():
    short = steady("A", 0.0, 30.0, raised=((5.0, 5.6, 10.0),))  # 0.6 s: shorter than M = 2 s
    long = steady("B", 0.0, 30.0, raised=((5.0, 8.0, 8.0),))
    small = steady("C", 0.0, 30.0, raised=((5.0, 9.0, 3.0),))  # +3 dB: below N = 4 dB
    voice = metrics([short, long, small], ["A", "B", "C"])
    assert [m.speaker for m in voice.raised] == ["B"]
    assert voice.raised[0].start == pytest.approx(5.0, abs=0.7) and voice.raised[0].end == pytest.approx(8.0, abs=0.7)
    assert voice.raised[0].above_db == pytest.approx(8.0, abs=0.1)


def test_a_stretch_that_only_just_crosses_n_is_emphasis_not_a_raised_voice():
    # +4.5 dB for 4 s: over N = 4 dB for more than M = 2 s, but only 0.5 dB over N (about 1.2 dB x s in
    # all, under raised_min_excess_db_s = 2.5): what a sentence read with emphasis gives.
    emphasis = steady("A", 0.0, 30.0, raised=((10.0, 14.0, 4.5),))
    raised = steady("B", 0.0, 30.0, raised=((10.0, 14.0, 7.0),))
    voice = metrics([emphasis, raised], ["A", "B"])
    assert [m.speaker for m in voice.raised] == ["B"]
    without_excess_rule = metrics([emphasis], ["A"], config=VoiceConfig(raised_min_excess_db_s=0.0))
    assert [m.speaker for m in without_excess_rule.raised] == ["A"]  # the rule is what keeps it out
    # the smallest clean raise the truth counts (+6 dB) held 2.5 s rises 3.1 dB x s over N: still found
    smallest = steady("C", 0.0, 30.0, raised=((10.0, 12.5, 6.0),))
    assert [m.speaker for m in metrics([smallest], ["C"]).raised] == ["C"]


def test_the_threshold_is_relative_to_the_persons_own_median():
    quiet = steady("far", 0.0, 20.0, level=-50.0, raised=((8.0, 11.0, 8.0),))  # far from the microphone
    loud = steady("near", 30.0, 20.0, level=-20.0)  # always louder, never raised
    voice = metrics([quiet, loud], ["far", "near"])
    assert [m.speaker for m in voice.raised] == ["far"]
    far, near = voice.speakers
    assert near.energy_share > 0.99 and far.median_level_db == pytest.approx(-50.0, abs=0.5)


def test_pauses_shorter_than_the_gap_do_not_split_a_raised_stretch():
    a = steady("A", 0.0, 20.0, raised=((16.0, 20.0, 10.0),))
    b = steady("A", 20.8, 20.0, raised=((0.0, 3.0, 10.0),))  # 0.8 s pause, then still raised
    voice = metrics([a, b], ["A"], config=VoiceConfig())
    assert len(voice.raised) == 1 and voice.raised[0].end == pytest.approx(23.8, abs=0.7)


def test_quote_is_what_the_person_said_during_the_moment():
    track = steady("A", 0.0, 20.0, raised=((5.0, 8.0, 10.0),))
    said = [SpeakerWord(Word(5.2, 5.5, "stop"), "A", 1.0), SpeakerWord(Word(5.6, 6.0, "this"), "A", 1.0),
            SpeakerWord(Word(5.6, 6.0, "mhm"), "B", 1.0), SpeakerWord(Word(12.0, 12.4, "later"), "A", 1.0)]
    assert metrics([track], ["A"], words=said).raised[0].quote == "stop this"


def test_pace_uses_words_and_falls_back_to_syllables_without_words():
    syllabic = [-40.0, -40.0, -30.0, -40.0, -40.0, -40.0] * 100  # one peak every 0.12 s: 500 per minute
    track = frames("A", 0.0, syllabic)
    assert count_syllables(track) == 100
    no_words = metrics([track], ["A"]).speakers[0]
    assert no_words.pace_source == "syllables" and no_words.syllables_per_minute == pytest.approx(500, rel=0.01)
    assert no_words.pace_wpm == pytest.approx(500 / 1.5, rel=0.01)
    with_words = metrics([track], ["A"], counts={"A": 30}, times={"A": 12.0}).speakers[0]
    assert with_words.pace_source == "words" and with_words.pace_wpm == pytest.approx(150.0)


def test_unvoiced_peaks_are_not_syllables():
    track = VoiceFrames("A", 0.0, HOP, array("f", [-40.0, -30.0, -40.0] * 50), array("f", [0.0] * 150))
    assert count_syllables(track) == 0


def test_solo_speech_removes_the_seconds_someone_else_also_spoke():
    diarization = Diarization(segments=(seg(0, 10, "A"), seg(4, 6, "B")), exclusive=(seg(0, 4, "A"), seg(4, 6, "B"),
                                                                                   seg(6, 10, "A")), speakers=("A", "B"))
    assert [(s.start, s.end, s.speaker) for s in solo_speech(diarization)] == [(0, 4, "A"), (6, 10, "A")]


def test_heated_needs_a_raised_voice_and_interruptions_or_fast_floor_changes():
    raised = [RaisedVoice("A", 42.0, 45.0, 9.0, "")]
    cuts = [Interruption(40.0, "B", "A", "successful", 0.5), Interruption(47.0, "A", "B", "unsuccessful", 1.0)]
    hot = heated_stretches(raised, cuts, [], 120.0, VoiceConfig())
    assert len(hot) == 1 and hot[0].start <= 42.0 and hot[0].end >= 45.0
    assert hot[0].raised == 1 and hot[0].interruptions == 2 and hot[0].speakers == ("A", "B")
    assert heated_stretches(raised, cuts[:1], [], 120.0, VoiceConfig()) == ()  # one interruption is not enough
    assert heated_stretches([], cuts, [], 120.0, VoiceConfig()) == ()  # overlaps alone are not heated
    fast = [FloorTurn("AB"[i % 2], 30.0 + 2 * i, 31.5 + 2 * i, "", 3) for i in range(12)]
    assert len(heated_stretches(raised, [], fast, 120.0, VoiceConfig())) == 1


SCRIPT = [(0.5, 9.5, "we will do it my way and that is final"), (10.0, 19.5, "no we will not do it that way")]


def _analyzer(prosody=None):
    words = words_from_script(SCRIPT)
    return Analyzer(AnalysisConfig(), FakeTranscriber(words), FakeDiarizer([seg(0.4, 9.6, "A"), seg(9.9, 19.6, "B")]),
                    prosody)


def test_the_pipeline_measures_solo_speech_and_reports_raised_voices(tone_wav, tmp_path):
    fake = FakeProsody([steady("A", 0.5, 9.0), steady("B", 10.0, 9.5, raised=((3.0, 6.0, 10.0),))])
    result = _analyzer(fake).analyze_file(tone_wav)
    assert [s.speaker for s in fake.segments] == ["A", "B"]
    voice = result.metrics.voice
    assert [(m.speaker, m.quote) for m in voice.raised] == [("B", "will not do it")]
    path = tmp_path / "result.json"
    write_result_json(result, path)
    data = json.loads(path.read_text())
    assert data["voice"]["raised_voices"][0]["speaker"] == "B" and data["voice"]["raised_voices"][0]["start_s"] > 12
    people = {row["label"]: row for row in data["voice"]["speakers"]}
    assert set(people) == {"A", "B"} and people["B"]["raised_moments"] == 1 and "energy_share" in people["A"]
    again = result_from_dict(json.loads(path.read_text()))
    assert again.metrics.voice.raised == voice.raised and result_to_dict(again)["voice"] == data["voice"]


def test_results_without_the_prosody_stage_or_from_older_versions_read_without_voice(tone_wav):
    result = _analyzer().analyze_file(tone_wav)
    assert result.metrics.voice is None
    data = result_to_dict(result)
    assert "voice" not in data
    assert result_from_dict(data).metrics.voice is None


def test_voice_disabled_in_the_config_skips_the_stage(tone_wav):
    fake = FakeProsody([steady("A", 0.5, 9.0)])
    config = AnalysisConfig.from_dict({"voice": {"enabled": False}})
    result = _analyzer(fake).analyze_file(tone_wav, config=config)
    assert result.metrics.voice is None and fake.segments == ()


def test_report_exports_and_summary_show_voice(tone_wav, capsys):
    from analyzer.cli.commands.analyze import print_summary
    from analyzer.formats.exports import export
    from analyzer.formats.report_html import to_html

    fake = FakeProsody([steady("A", 0.5, 9.0), steady("B", 10.0, 9.5, raised=((3.0, 6.0, 10.0),))])
    result = _analyzer(fake).analyze_file(tone_wav)
    html = to_html(result)
    assert "How people sound" in html and 'class="raised"' in html and "heated stretches" in html
    assert "will not do it" in html
    people_csv = export(result, "csv").splitlines()
    assert "energy_share" in people_csv[0] and "pitch_median_hz" in people_csv[0]
    raised_csv = export(result, "csv-raised").splitlines()
    assert len(raised_csv) == 2 and raised_csv[1].startswith("B,B,") and "will not do it" in raised_csv[1]
    md = export(result, "md")
    assert "## How people sound" in md and "Raised voices:" in md
    print_summary(result)
    out = capsys.readouterr().out
    assert "how people sound" in out and "raised voice" in out and "will not do it" in out


def test_voice_metrics_survive_a_stored_session(tone_wav, tmp_path):
    from analyzer.storage import SessionStore

    fake = FakeProsody([steady("A", 0.5, 9.0), steady("B", 10.0, 9.5, raised=((3.0, 6.0, 10.0),))])
    result = _analyzer(fake).analyze_file(tone_wav)
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}")
    try:
        loaded = store.load(store.save(result, group="team")).metrics.voice
        other = write_tone_wav(tmp_path / "other.wav", 2.0, freq=330.0)
        plain = store.load(store.save(_analyzer().analyze_file(other), group="other")).metrics.voice
    finally:
        store.close()
    assert loaded.raised == result.metrics.voice.raised and loaded.heated == result.metrics.voice.heated
    assert [v.speaker for v in loaded.speakers] == [v.speaker for v in result.metrics.voice.speakers]
    assert loaded.speakers[0].energy_share == pytest.approx(result.metrics.voice.speakers[0].energy_share)
    assert plain is None
