"""The real pipeline names people across meetings: a group's second meeting (other recordings of the
same LibriSpeech readers, plus a stranger) names the people named in the first, and a merge recomputes.
Enrolment from a clip takes one voice (and matches other recordings of it) and refuses a clip with
two voices or with no speech. Runs in CI with the pinned models; about 2.5 minutes of audio in all."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from analyzer.adapters.audio import LoadedAudio
from analyzer.compose import load_voice
from analyzer.core.config import VoiceprintConfig
from analyzer.core.errors import InputFormatError
from analyzer.pipeline.enrolment import enrol_clip
from analyzer.pipeline.corrections import merge_speakers
from analyzer.evaluation.identification import IdentificationPlan, compose, half_voices_dir
from analyzer.core.schema import Recording
from analyzer.storage import SessionStore
from analyzer.voices.matching import cosine
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

VOICES = ROOT / "tests" / "data" / "voices"
PLAN = IdentificationPlan(name="it", voices=VOICES, calibrate=(), report=(), meeting_s=30.0, turn_s=(5.0, 8.0))


def analyse(analyzer, spec, cache):
    meeting = compose(spec, PLAN, half_voices_dir(VOICES, spec["half"], cache))
    samples = meeting.samples.astype(np.float32)
    sha = hashlib.sha256(samples.tobytes()).hexdigest()
    audio = LoadedAudio(Recording(f"/meetings/{spec['id']}.wav", sha, len(samples) / 16000, 16000, 1), samples)
    return analyzer.analyze_audio(audio), meeting


def majority(result, meeting) -> dict[str, str]:
    """The reference person who spoke most of each label's exclusive time."""
    found = {}
    for label in result.diarization.speakers:
        time = {p: sum(max(0.0, min(s.end, r.end) - max(s.start, r.start)) for s in result.diarization.exclusive
                       if s.speaker == label for r in meeting.segments if r.speaker == p) for p in meeting.attendees}
        found[label] = max(time, key=time.get)
    return found


def test_second_meeting_names_the_people_of_the_first(real_analyzer, tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'fs.db'}")
    store.create_group("coop", voiceprints=True)
    first, first_meeting = analyse(real_analyzer, {"id": "week1", "half": "a", "voices": ("3080", "2609", "533"),
                                                   "seed": 1}, tmp_path)
    assert len(first.diarization.embeddings) >= 3, "the diarizer gives one voice embedding per speaker"
    one = store.save(first, group="coop")
    truth = majority(first, first_meeting)
    for label, person in truth.items():
        store.rename_speaker(one, label, person)

    second, second_meeting = analyse(real_analyzer, {"id": "week2", "half": "b",
                                                     "voices": ("533", "3080", "367"), "seed": 2}, tmp_path)
    identified = store.identify(second, "coop")
    two = store.save(identified, group="coop")
    loaded = store.load(two)
    expected = majority(second, second_meeting)
    named = {label: m.person for label, m in loaded.speaker_matches.items()}
    confidences = {label: m.confidence for label, m in loaded.speaker_matches.items()}
    speech = {label: sum(s.end - s.start for s in second.diarization.exclusive if s.speaker == label)
              for label in expected}
    for label, person in expected.items():
        if speech[label] < store.voiceprint_config.min_speech_s:
            continue  # too little speech to be matched at all (it is a "New speaker")
        if person in ("v533", "v3080") and label in second.diarization.embeddings:
            assert named[label] == person, (named, expected, confidences)
        if person == "v367":  # the stranger is not named after anyone
            assert named[label] is None and loaded.speaker_names[label].startswith("New speaker"), (named, confidences)

    assert {"v533", "v3080"} <= set(named.values()), (named, confidences)  # both known people were named

    # diarization split someone (or not): merging two labels recomputes every number
    labels = loaded.diarization.speakers
    merged = merge_speakers(store.load(two, with_voiceprints=True), labels[0], labels[1])
    store.replace_result(two, merged)
    after = store.load(two)
    assert after.metrics == merged.metrics and len(after.diarization.speakers) == len(labels) - 1
    total = sum(s.share for s in after.metrics.speakers)
    assert total == pytest.approx(1.0, abs=0.01)
    store.close()



def write_wav(path, samples):
    import wave

    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(pcm)
    return path


def reading(voices, voice, seconds):
    """A reader's phrases with 0.25 s pauses, at least ``seconds`` long."""
    out, total = [], 0
    for phrase in load_voice(voices, voice).phrases:
        out += [phrase.astype(np.float32), np.zeros(4000, dtype=np.float32)]
        total += len(phrase) + 4000
        if total >= seconds * 16000:
            break
    return np.concatenate(out)


def test_enrolment_takes_one_voice_and_refuses_two_voices_and_silence(real_analyzer, tmp_path):
    diarizer = real_analyzer.diarizer
    half_a, half_b = half_voices_dir(VOICES, "a", tmp_path), half_voices_dir(VOICES, "b", tmp_path)
    ana = enrol_clip(write_wav(tmp_path / "ana.wav", reading(half_a, "3080", 12.0)), diarizer)
    assert ana.speech_s >= 8.0 and len(ana.vector) == 192 and ana.model.startswith("campplus")
    again = enrol_clip(write_wav(tmp_path / "ana-2.wav", reading(half_b, "3080", 12.0)), diarizer)
    other = enrol_clip(write_wav(tmp_path / "bea.wav", reading(half_b, "533", 12.0)), diarizer)
    threshold = VoiceprintConfig().match_threshold
    same, different = cosine(ana.vector, again.vector), cosine(ana.vector, other.vector)
    assert same >= threshold > different, (same, different, threshold)  # other recordings of ana match

    two = np.concatenate([reading(half_a, "3080", 8.0), reading(half_a, "533", 8.0)])
    with pytest.raises(InputFormatError, match="several voices were heard"):
        enrol_clip(write_wav(tmp_path / "two.wav", two), diarizer)
    hiss = (0.001 * np.random.default_rng(0).normal(size=16000 * 12)).astype(np.float32)
    with pytest.raises(InputFormatError, match="no speech found"):
        enrol_clip(write_wav(tmp_path / "hiss.wav", hiss), diarizer)
