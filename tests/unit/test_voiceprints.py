"""Voice matching (cosine, threshold, one-to-one assignment) and enrolment refusals, without models."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.core.config import VoiceprintConfig
from analyzer.pipeline.enrolment import enrol_clip
from analyzer.core.errors import InputFormatError
from analyzer.core.schema import Diarization, ModelRef
from analyzer.voices.matching import assign, cosine, embedding_model_id, profile, similarity_matrix
from tests.conftest import seg, write_tone_wav

RNG = np.random.default_rng(7)


def test_cosine_and_profile():
    a, b = RNG.normal(size=8), RNG.normal(size=8)
    assert cosine(a, a) == pytest.approx(1.0)
    assert cosine(a, -a) == pytest.approx(-1.0)
    assert cosine(a, 3 * a) == pytest.approx(1.0)
    assert cosine(a, np.zeros(8)) == 0.0
    p = profile([a, b], [1.0, 0.0])  # a zero weight leaves the voiceprint out
    assert cosine(p, a) == pytest.approx(1.0)
    assert np.linalg.norm(profile([a, b])) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        profile([])


def test_threshold_decides_who_is_unknown():
    ana = RNG.normal(size=16)
    near = ana + 0.3 * RNG.normal(size=16)
    sim = cosine(ana, near)
    (found,) = assign({"S0": near}, {"Ana": ana}, threshold=sim - 0.01)
    assert found.person == "Ana" and found.similarity == pytest.approx(sim)
    (missed,) = assign({"S0": near}, {"Ana": ana}, threshold=sim + 0.01)
    assert missed.person is None and missed.similarity is None and missed.best == pytest.approx(sim)
    (alone,) = assign({"S0": near}, {}, threshold=0.0)
    assert alone.person is None and alone.best is None


def test_assignment_is_one_to_one_and_beats_greedy():
    # S0 is closest to Ana, but giving Ana to S0 would leave S1 (only close to Ana) unknown and
    # Ben unused; the assignment maximising the total similarity gives Ana to S1 and Ben to S0.
    profiles = {"Ana": np.array([1.0, 0.0]), "Ben": np.array([0.0, 1.0])}
    speakers = {"S0": np.array([1.0, 0.9]), "S1": np.array([1.0, 0.05])}
    greedy_first = max(profiles, key=lambda p: cosine(speakers["S0"], profiles[p]))
    assert greedy_first == "Ana"
    found = {a.label: a.person for a in assign(speakers, profiles, threshold=0.5)}
    assert found == {"S0": "Ben", "S1": "Ana"}
    # two labels of the same voice cannot both be that person
    twins = {a.label: a.person for a in assign({"A": [1, 0], "B": [0.99, 0.01]}, {"Ana": [1, 0]}, 0.5)}
    assert sorted(twins.values(), key=str) == ["Ana", None]
    assert similarity_matrix([], [[1.0]]).shape == (0, 1)


def test_embedding_model_id_names_the_embedding_model():
    models = (ModelRef("seg", "segmentation", "hf", "a" * 64), ModelRef("campplus", "embedding", "ms", "b" * 64))
    assert embedding_model_id(models) == "campplus:" + "b" * 12
    assert embedding_model_id(models[:1]) == "unknown"


class ClipDiarizer:
    """A fake diarizer answering with the given segments and one embedding per label."""

    models = (ModelRef("fake-embedding", "embedding", "tests", "e" * 64),)
    device = "cpu"

    def __init__(self, segments):
        labels = tuple(sorted({s.speaker for s in segments}))
        self.result = Diarization(tuple(segments), tuple(segments), labels,
                                  {label: tuple(float(i + 1) for i in range(4)) for label in labels})

    def diarize(self, audio, **_):
        return self.result


def test_enrolment_takes_the_one_voice_of_a_clip(tmp_path):
    clip = write_tone_wav(tmp_path / "ana.wav", 12.0)
    enrolment = enrol_clip(clip, ClipDiarizer([seg(0.5, 11.0, "SPEAKER_00"), seg(11.2, 11.8, "SPEAKER_01")]))
    assert enrolment.speech_s == pytest.approx(10.5) and len(enrolment.vector) == 4
    assert enrolment.model == "fake-embedding:" + "e" * 12


def test_enrolment_refuses_short_clips_silence_and_several_voices(tmp_path):
    config = VoiceprintConfig()
    short = write_tone_wav(tmp_path / "short.wav", 6.0)
    with pytest.raises(InputFormatError, match=r"short.wav: the clip is 6.0 s long; give at least 10 s"):
        enrol_clip(short, ClipDiarizer([seg(0, 6, "SPEAKER_00")]), config)
    clip = write_tone_wav(tmp_path / "clip.wav", 12.0)
    with pytest.raises(InputFormatError, match=r"clip.wav: no speech found \(0.0 s"):
        enrol_clip(clip, ClipDiarizer([]), config)
    with pytest.raises(InputFormatError, match=r"no speech found \(3.0 s"):
        enrol_clip(clip, ClipDiarizer([seg(0, 3, "SPEAKER_00")]), config)
    with pytest.raises(InputFormatError, match=r"several voices were heard \(2 voices: 7.0 s, 4.0 s"):
        enrol_clip(clip, ClipDiarizer([seg(0, 7, "SPEAKER_00"), seg(7, 11, "SPEAKER_01")]), config)


class TwoHalvesDiarizer(ClipDiarizer):
    """One speaker over the whole clip, but each half on its own sounds like someone else."""

    def __init__(self, segments, halves):
        super().__init__(segments)
        self.halves, self.calls = list(halves), []

    def diarize(self, audio, **_):
        self.calls.append(round(audio.duration, 2))
        if len(self.calls) == 1:
            return self.result
        label = self.result.speakers[0]
        return replace(self.result, embeddings={label: self.halves[len(self.calls) - 2]})


def test_enrolment_refuses_a_clip_whose_halves_are_different_voices(tmp_path):
    clip = write_tone_wav(tmp_path / "pair.wav", 12.0)
    speech = [seg(0.5, 5.5, "SPEAKER_00"), seg(6.5, 11.5, "SPEAKER_00")]  # 10 s; half of it behind at 5.5 s
    fake = TwoHalvesDiarizer(speech, [(1.0, 0.0, 0.0, 0.0), (0.2, 1.0, 0.0, 0.0)])
    with pytest.raises(InputFormatError, match=r"pair.wav: several voices were heard \(the first and second half "
                                               r"of the speech sound like different people: similarity 0.20, under 0.60"):
        enrol_clip(clip, fake)
    assert fake.calls == [12.0, 5.5, 6.5]  # the clip, then each half on its own
    same = TwoHalvesDiarizer(speech, [(1.0, 0.1, 0.0, 0.0), (0.9, 0.2, 0.0, 0.0)])
    assert enrol_clip(clip, same).speech_s == pytest.approx(10.0)
    few = TwoHalvesDiarizer([seg(0.5, 5.8, "SPEAKER_00")], [(1.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0)])
    assert enrol_clip(clip, few).speech_s == pytest.approx(5.3) and few.calls == [12.0]  # too little to halve
