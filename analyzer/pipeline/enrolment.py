"""Enrolling a person's voice from a short clip: decode, diarize, check it is one voice, keep its embedding.

The diarizer is the pipeline's (:class:`analyzer.pipeline.analysis.Diarizer` protocol), so tests use
a fake; its per-speaker centroid is the same kind of embedding a meeting's speakers get,
so an enrolment compares like for like with the voiceprints of sessions.

A short clip gives the clustering few embeddings, and two similar voices can end up in one
speaker (measured: 8 s + 8 s of two LibriSpeech women, 3080 and 533, came out as one). So a clip
whose one speaker has enough speech is also cut where half of that speech is behind, each half is
diarized on its own, and the clip is refused when the halves' voices differ (cosine similarity
under ``VoiceprintConfig.enrol_same_voice_similarity``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio, load_audio
from analyzer.core.config import VoiceprintConfig
from analyzer.core.errors import InputFormatError
from analyzer.core.schema import Diarization
from analyzer.voices.matching import cosine, embedding_model_id


@dataclass(frozen=True, slots=True)
class Enrolment:
    """The voice embedding of the one person speaking in a clip."""

    vector: tuple[float, ...]
    speech_s: float
    model: str


def enrol_clip(path: str | Path, diarizer, config: VoiceprintConfig | None = None) -> Enrolment:  # noqa: ANN001
    """The clip's voice embedding, or a clear error: too short, no speech, or several voices."""
    config = config or VoiceprintConfig()
    audio = load_audio(path)
    duration = audio.recording.duration
    if duration < config.enrol_min_clip_s:
        raise InputFormatError(f"{path}: the clip is {duration:.1f} s long; give at least "
                               f"{config.enrol_min_clip_s:.0f} s of the person speaking alone")
    diarization = diarizer.diarize(audio)
    speech: dict[str, float] = {}
    for s in diarization.exclusive:
        speech[s.speaker] = speech.get(s.speaker, 0.0) + max(0.0, s.end - s.start)
    ranked = sorted(speech.items(), key=lambda item: -item[1])
    total = sum(speech.values())
    if total < config.enrol_min_speech_s or not ranked:
        raise InputFormatError(f"{path}: no speech found ({total:.1f} s of speech in {duration:.0f} s); give a "
                               f"clip with at least {config.enrol_min_speech_s:.0f} s of the person speaking")
    others = [(label, seconds) for label, seconds in ranked[1:] if seconds >= config.enrol_other_voice_s]
    if others:
        heard = ", ".join(f"{seconds:.1f} s" for _, seconds in [ranked[0], *others])
        raise InputFormatError(f"{path}: several voices were heard ({len(others) + 1} voices: {heard} of speech); "
                               "give a clip of the one person speaking alone")
    label, seconds = ranked[0]
    vector = diarization.embeddings.get(label)
    if not vector:
        raise InputFormatError(f"{path}: no voice embedding could be computed for the speech in this clip; "
                               "give a longer or clearer clip of the person speaking")
    halves = _halves(audio, diarization, label, config.min_speech_s)
    if halves is not None:
        voices = [_main_voice(diarizer.diarize(half)) for half in halves]
        if all(voices):
            similarity = cosine(*voices)
            if similarity < config.enrol_same_voice_similarity:
                raise InputFormatError(
                    f"{path}: several voices were heard (the first and second half of the speech sound like "
                    f"different people: similarity {similarity:.2f}, under "
                    f"{config.enrol_same_voice_similarity:.2f}); give a clip of the one person speaking alone")
    return Enrolment(tuple(vector), round(seconds, 2), embedding_model_id(diarizer.models))


def _halves(audio: LoadedAudio, diarization: Diarization, label: str,
            min_speech_s: float) -> tuple[LoadedAudio, LoadedAudio] | None:
    """The clip cut where half of ``label``'s speech is behind; None when a half would hold less
    than ``min_speech_s`` of it (too little to compare)."""
    spans = sorted((s.start, s.end) for s in diarization.exclusive if s.speaker == label)
    total = sum(e - s for s, e in spans)
    if total < 2 * min_speech_s:
        return None
    behind, cut = 0.0, spans[-1][1]
    for start, end in spans:
        if behind + (end - start) >= total / 2:
            cut = start + (total / 2 - behind)
            break
        behind += end - start
    index = int(round(cut * SAMPLE_RATE))

    def part(samples, name: str) -> LoadedAudio:  # noqa: ANN001 - ndarray
        sha = hashlib.sha256(samples.tobytes()).hexdigest()
        recording = replace(audio.recording, path=f"{audio.recording.path} ({name})", sha256=sha,
                            duration=len(samples) / SAMPLE_RATE)
        return LoadedAudio(recording, samples)

    return part(audio.samples[:index], "first half"), part(audio.samples[index:], "second half")


def _main_voice(diarization: Diarization) -> tuple[float, ...] | None:
    """The embedding of the speaker with the most exclusive speech (None when there is none)."""
    speech: dict[str, float] = {}
    for s in diarization.exclusive:
        speech[s.speaker] = speech.get(s.speaker, 0.0) + max(0.0, s.end - s.start)
    if not speech:
        return None
    return diarization.embeddings.get(max(speech, key=speech.get)) or None
