"""Voice figures after a merge, split or re-assignment: measured again on the corrected people's solo
speech when the recording can be read again, removed with a note when it cannot (never left stale)."""

from __future__ import annotations

import shutil
from array import array

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.core.schema import VoiceFrames
from analyzer.metrics.voice import solo_speech
from analyzer.pipeline.analysis import Analyzer
from analyzer.pipeline.corrections import merge_speakers, reassign_turn, split_speaker
from analyzer.pipeline.measure import measure
from analyzer.pipeline.revoice import RecordingVoice, removed_notice, voice_note
from analyzer.formats.rttm import exclusive_from_overlapping
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav
from tests.unit.test_corrections import SCRIPT

LOUD = (32.0, 36.0)  # the recording is 10 dB louder here (inside SPEAKER_02's turn at 26.3-40 s)


class TimedProsody:
    """A fake prosody stage whose "recording" is -30 dBFS everywhere and -20 dBFS inside LOUD:
    the frames it returns depend only on the times asked for, as the real stage's do."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def extract(self, audio, exclusive, *, hook=None, config=None) -> tuple[VoiceFrames, ...]:  # noqa: ANN001
        self.calls.append(tuple(exclusive))
        out = []
        for s in exclusive:
            count = int((s.end - s.start) / 0.02)
            levels = [-20.0 if LOUD[0] <= s.start + i * 0.02 < LOUD[1] else -30.0 for i in range(count)]
            out.append(VoiceFrames(s.speaker, s.start, 0.02, array("f", levels), array("f", [150.0] * count)))
        return tuple(out)


def _raised(result) -> list[str]:
    """Who was raised, for moments that start within 1.5 s of LOUD (the 2 s loudness smooths the onset)."""
    return [r.speaker for r in result.metrics.voice.raised if abs(r.start - LOUD[0]) < 1.5]


@pytest.fixture()
def session(tmp_path):
    segments = [seg(s, e, who) for s, e, who, _ in SCRIPT]
    words = words_from_script([(s, e, text) for s, e, _, text in SCRIPT])
    analyzer = Analyzer(AnalysisConfig(), FakeTranscriber(words),
                        FakeDiarizer(segments, list(exclusive_from_overlapping(segments))), TimedProsody())
    result = analyzer.analyze_file(write_tone_wav(tmp_path / "m.wav", 45.0))
    assert _raised(result) == ["SPEAKER_02"] and len(result.metrics.voice.raised) == 1
    return result


def _voice_from_scratch(corrected):
    frames = TimedProsody().extract(None, solo_speech(corrected.diarization))
    words = tuple(w.word for w in corrected.words)
    return measure(corrected.diarization, words, AnalysisConfig(), duration=corrected.recording.duration,
                   voice_frames=frames).metrics.voice


def test_a_split_measures_the_voice_of_the_new_speaker_again(session):
    prosody = TimedProsody()
    voice = RecordingVoice(session, prosody=prosody)
    corrected, target = split_speaker(session, "SPEAKER_02", 26.0, 40.0, voice=voice)
    assert target == "SPEAKER_03" and voice.reason == ""
    assert prosody.calls == [solo_speech(corrected.diarization)]  # the corrected people's solo speech
    assert _raised(corrected) == ["SPEAKER_03"] and len(corrected.metrics.voice.raised) == 1
    assert {s.speaker for s in corrected.metrics.voice.speakers} == {"SPEAKER_00", "SPEAKER_01", "SPEAKER_02",
                                                                      "SPEAKER_03"}
    assert corrected.metrics.voice == _voice_from_scratch(corrected)
    assert voice_note(session, corrected, voice) == ""


def test_a_merge_and_a_reassignment_give_the_raised_voice_to_the_corrected_person(session):
    merged = merge_speakers(session, "SPEAKER_00", "SPEAKER_02", voice=RecordingVoice(session, prosody=TimedProsody()))
    assert _raised(merged) == ["SPEAKER_00"] and len(merged.metrics.voice.raised) == 1
    assert "SPEAKER_02" not in {s.speaker for s in merged.metrics.voice.speakers}
    assert merged.metrics.voice == _voice_from_scratch(merged)

    turn = next(t for t in session.turns if t.start >= 26.0)
    moved, _ = reassign_turn(session, turn.index, "SPEAKER_01", voice=RecordingVoice(session, prosody=TimedProsody()))
    assert _raised(moved) == ["SPEAKER_01"] and len(moved.metrics.voice.raised) == 1
    assert moved.metrics.voice == _voice_from_scratch(moved)


def test_without_the_recording_the_voice_figures_are_removed_with_a_note(session, tmp_path):
    gone = RecordingVoice(session, prosody=TimedProsody())
    shutil.move(session.recording.path, tmp_path / "elsewhere.wav")
    corrected, _ = split_speaker(session, "SPEAKER_02", 26.0, 40.0, voice=gone)
    assert corrected.metrics.voice is None and corrected.metrics.speakers  # the other numbers are recomputed
    note = voice_note(session, corrected, gone)
    assert "no longer at" in note and "m.wav" in note and "analyse the recording again" in note

    kept = RecordingVoice(session, kept=tmp_path / "elsewhere.wav", prosody=TimedProsody())  # kept with the session
    again, _ = split_speaker(session, "SPEAKER_02", 26.0, 40.0, voice=kept)
    assert _raised(again) == ["SPEAKER_03"] and kept.reason == ""

    no_source, _ = split_speaker(session, "SPEAKER_02", 26.0, 40.0)
    assert no_source.metrics.voice is None and "was not read again" in voice_note(session, no_source, None)


def test_a_changed_recording_is_not_measured_as_the_analysed_one(session):
    write_tone_wav(session.recording.path, 45.0, freq=330.0)  # same name, other content
    prosody = TimedProsody()
    changed = RecordingVoice(session, prosody=prosody)
    corrected = merge_speakers(session, "SPEAKER_00", "SPEAKER_02", voice=changed)
    assert corrected.metrics.voice is None and prosody.calls == []
    assert "content changed" in voice_note(session, corrected, changed)


def test_a_session_without_voice_figures_reads_no_audio(session):
    from dataclasses import replace

    quiet = replace(session, metrics=replace(session.metrics, voice=None))
    prosody = TimedProsody()
    corrected = merge_speakers(quiet, "SPEAKER_00", "SPEAKER_02", voice=RecordingVoice(quiet, prosody=prosody))
    assert corrected.metrics.voice is None and prosody.calls == []
    assert voice_note(quiet, corrected, None) == ""
    assert corrected.metrics.voice_removed is None and removed_notice(corrected) == ""


def test_the_reason_stays_with_the_session_through_json_the_store_and_later_corrections(session, tmp_path):
    from dataclasses import replace

    from analyzer.formats.serialize import result_from_dict, result_to_dict
    from analyzer.storage import SessionStore

    assert session.metrics.voice_removed is None and removed_notice(session) == ""
    shutil.move(session.recording.path, tmp_path / "elsewhere.wav")
    gone = RecordingVoice(session, prosody=TimedProsody())
    corrected = merge_speakers(session, "SPEAKER_00", "SPEAKER_02", voice=gone)
    assert corrected.metrics.voice_removed == gone.reason and "no longer at" in gone.reason
    assert removed_notice(corrected) == voice_note(session, corrected, gone) != ""
    from analyzer.formats.report_html import voice_section
    assert "were removed" in voice_section(corrected) and voice_section(replace(
        corrected, metrics=replace(corrected.metrics, voice_removed=None))) == ""

    assert result_from_dict(result_to_dict(corrected)).metrics.voice_removed == gone.reason
    assert "voice_removed" not in result_to_dict(session)  # old files and untouched sessions: absent
    store = SessionStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        sid = store.save(session, group="G", title="t")
        store.replace_result(sid, corrected)
        assert removed_notice(store.load(sid)) == removed_notice(corrected)
        # a second correction keeps the notice: the figures are still gone
        again = merge_speakers(store.load(sid), "SPEAKER_00", "SPEAKER_01", voice=RecordingVoice(store.load(sid)))
        assert again.metrics.voice is None and again.metrics.voice_removed == gone.reason
    finally:
        store.close()
