"""Enrolling a person's voice from a short clip: decode, diarize, check it is one voice, keep its embedding.

The diarizer is the pipeline's (:class:`analyzer.pipeline.analysis.Diarizer` protocol), so tests use
a fake; its per-speaker centroid is the same kind of embedding a meeting's speakers get,
so an enrolment compares like for like with the voiceprints of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.adapters.audio import load_audio
from analyzer.core.config import VoiceprintConfig
from analyzer.core.errors import InputFormatError
from analyzer.voices.matching import embedding_model_id


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
    return Enrolment(tuple(vector), round(seconds, 2), embedding_model_id(diarizer.models))
