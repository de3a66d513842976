"""The one place the JSON shape of a session result is defined (``result.json``).

``result_to_dict`` and ``result_from_dict`` round-trip a :class:`SessionResult`.
Field renames (``duration`` -> ``duration_s`` ...) are listed here and nowhere else.
Pure standard library.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from analyzer.core.errors import InputFormatError
from analyzer.formats.fileio import write_text_atomic
from analyzer.core.schema import (
    SCHEMA_VERSION, DirectiveHit, DirectiveSummary, Diarization, GroupIndices, Interruption, ModelRef, Provenance,
    Recording, SessionMetrics, SessionResult, SpeakerConfidence, SpeakerMatch, SpeakerSegment, SpeakerStats, SpeakerWord,
    TimelineWindow, Transcript, TranscriptSegment, Turn, Verdict, Word, HeatedStretch, RaisedVoice,
    VoiceMetrics, VoiceStats,
)

# Python field name -> JSON key, per type (only where they differ).
_RENAMES: dict[type, dict[str, str]] = {
    Recording: {"duration": "duration_s"},
    SpeakerStats: {"speaker": "label", "speaking_time": "speaking_time_s", "overlap_time": "overlap_time_s",
                   "mean_turn": "mean_turn_s", "median_turn": "median_turn_s",
                   "longest_turn": "longest_turn_s", "monologue_time": "monologue_time_s",
                   "median_response_latency": "median_response_latency_s"},
    Interruption: {"overlap": "overlap_s"},
    VoiceStats: {"speaker": "label", "voiced_time": "voiced_time_s", "raised_time": "raised_time_s"},
    RaisedVoice: {"start": "start_s", "end": "end_s"},
    HeatedStretch: {"start": "start_s", "end": "end_s"},
}


def to_plain(obj: Any) -> Any:
    """Dataclasses to dicts (with the JSON renames), tuples to lists, enums to their values, recursively."""
    if is_dataclass(obj) and not isinstance(obj, type):
        renames = _RENAMES.get(type(obj), {})
        plain = {renames.get(f.name, f.name): to_plain(getattr(obj, f.name)) for f in fields(obj)}
        if isinstance(obj, DirectiveSummary):  # the derived total is part of the JSON shape
            plain = {"total": obj.total, **plain}
        return plain
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_plain(item) for item in obj]
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return round(obj, 4)
    return obj


def from_plain(cls: type, data: dict[str, Any], nested: dict[str, Any] | None = None) -> Any:
    """Build a flat dataclass from a dict written by :func:`to_plain` (unknown keys ignored)."""
    renames = _RENAMES.get(cls, {})
    kwargs = {}
    for f in fields(cls):
        key = renames.get(f.name, f.name)
        if key not in data:
            continue
        value = data[key]
        if nested and f.name in nested:
            value = nested[f.name](value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def metrics_to_dict(m: SessionMetrics, speaker_names: dict[str, str] | None = None,
                    matches: dict[str, SpeakerMatch] | None = None) -> dict[str, Any]:
    """The metric keys of ``result.json`` (also what ``floorshare metrics --json`` prints).

    Each speaker carries ``person`` (the named or matched person; null when unknown) and
    ``match_confidence`` (similarity to that person's voiceprint; null without a voice match).
    """
    names = speaker_names or {}
    matches = matches or {}

    def person(label: str) -> dict[str, Any]:
        match = matches.get(label)
        if match is not None:
            return {"person": match.person, "match_confidence": _round(match.confidence),
                    "match_status": match.status}
        return {"person": names.get(label), "match_confidence": None, "match_status": None}

    return {
        "summary": {"duration_s": round(m.duration, 3), "total_speech_s": round(m.total_speech, 3),
                    "overlap_time_s": round(m.overlap_time, 3), "silence_time_s": round(m.silence_time, 3),
                    "unattributed_words": m.unattributed_words},
        "speakers": [dict(to_plain(s), name=names.get(s.speaker, s.speaker), **person(s.speaker))
                     for s in m.speakers],
        "group": to_plain(m.group),
        "verdict": to_plain(m.verdict),
        "timeline": to_plain(m.timeline),
        "interruptions": to_plain(m.interruptions),
        "interruption_matrix": to_plain(m.interruption_matrix),
        "transitions": to_plain(m.transitions),
        **({"voice": voice_to_dict(m.voice, names)} if m.voice is not None else {}),
        **({"voice_removed": m.voice_removed} if m.voice_removed else {}),
    }


def voice_to_dict(voice: VoiceMetrics, speaker_names: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``voice`` key of ``result.json``: per person, raised-voice moments, heated stretches."""
    names = speaker_names or {}
    return {"speakers": [dict(to_plain(s), name=names.get(s.speaker, s.speaker)) for s in voice.speakers],
            "raised_voices": [dict(to_plain(r), name=names.get(r.speaker, r.speaker)) for r in voice.raised],
            "heated": to_plain(voice.heated)}


def voice_from_dict(data: dict[str, Any] | None) -> VoiceMetrics | None:
    """Rebuild :class:`VoiceMetrics` from :func:`voice_to_dict` output (``None``: absent, as in old files)."""
    if not data:
        return None
    return VoiceMetrics(speakers=tuple(from_plain(VoiceStats, s) for s in data.get("speakers", [])),
                        raised=tuple(from_plain(RaisedVoice, r) for r in data.get("raised_voices", [])),
                        heated=tuple(from_plain(HeatedStretch, h) for h in data.get("heated", [])))


def result_to_dict(result: SessionResult) -> dict[str, Any]:
    """The ``result.json`` mapping: flat, stable keys documented in docs/result-format.md."""
    data: dict[str, Any] = {
        "schema_version": result.schema_version,
        "recording": to_plain(result.recording),
        "config": result.config,
        "provenance": to_plain(result.provenance),
        "speaker_names": dict(result.speaker_names),
        "speaker_matches": {label: to_plain(m) for label, m in result.speaker_matches.items()},
    }
    if result.metrics is not None:
        data.update(metrics_to_dict(result.metrics, result.speaker_names, result.speaker_matches))
    data.update({
        "directives": to_plain(result.directives),
        "turns": [to_plain(t) for t in result.turns],
        "words": [{"start": round(w.word.start, 3), "end": round(w.word.end, 3), "text": w.word.text,
                   "speaker": w.speaker, "probability": round(w.word.probability, 3),
                   "coverage": round(w.coverage, 3)} for w in result.words],
        "transcript": {"language": result.transcript.language,
                       "language_probability": round(result.transcript.language_probability, 4),
                       "segments": [{"start": s.start, "end": s.end, "text": s.text}
                                    for s in result.transcript.segments]},
        # the voice embeddings (biometric) are never written: segments and labels only
        "diarization": {"segments": to_plain(result.diarization.segments),
                        "exclusive": to_plain(result.diarization.exclusive),
                        "speakers": list(result.diarization.speakers),
                        "confidence": to_plain(result.diarization.confidence)},
    })
    return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def result_from_dict(data: dict[str, Any]) -> SessionResult:
    """Rebuild a :class:`SessionResult` from :func:`result_to_dict` output."""
    try:
        version = int(data.get("schema_version", 0))
        if version > SCHEMA_VERSION:
            raise InputFormatError(f"result has schema_version {version}, newer than this Floorshare "
                                   f"({SCHEMA_VERSION}); upgrade floorshare")
        return _build_result(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFormatError(f"not a Floorshare result ({type(exc).__name__}: {exc})") from None


def _build_result(data: dict[str, Any]) -> SessionResult:
    segments = lambda items: tuple(from_plain(SpeakerSegment, s) for s in items)  # noqa: E731
    diarization = from_plain(Diarization, data["diarization"],
                             {"segments": segments, "exclusive": segments,
                              "confidence": lambda items: tuple(from_plain(SpeakerConfidence, c) for c in items)})
    words = tuple(SpeakerWord(word=Word(w["start"], w["end"], w["text"], w.get("probability", 1.0)),
                              speaker=w.get("speaker"), coverage=w.get("coverage", 0.0))
                  for w in data.get("words", []))
    transcript = Transcript(
        language=data["transcript"]["language"],
        language_probability=data["transcript"].get("language_probability", 1.0),
        segments=tuple(TranscriptSegment(s["start"], s["end"], s["text"], tuple(
            w.word for w in words if s["start"] <= w.word.start < s["end"]))
            for s in data["transcript"]["segments"]))
    provenance = from_plain(Provenance, data["provenance"], {
        "models": lambda items: tuple(from_plain(ModelRef, m) for m in items),
        "library_versions": lambda items: tuple(tuple(pair) for pair in items)})
    return SessionResult(
        recording=from_plain(Recording, data["recording"]),
        config=data["config"],
        provenance=provenance,
        transcript=transcript,
        diarization=diarization,
        words=words,
        turns=tuple(from_plain(Turn, t) for t in data["turns"]),
        directives=tuple(from_plain(DirectiveHit, d) for d in data.get("directives", [])),
        metrics=_metrics_from_dict(data) if "speakers" in data else None,
        speaker_names=dict(data.get("speaker_names", {})),
        schema_version=int(data["schema_version"]),
        speaker_matches={label: from_plain(SpeakerMatch, m) for label, m in data.get("speaker_matches", {}).items()},
    )


def _metrics_from_dict(data: dict[str, Any]) -> SessionMetrics:
    summary = data["summary"]
    return SessionMetrics(
        duration=summary["duration_s"], total_speech=summary["total_speech_s"],
        overlap_time=summary["overlap_time_s"], silence_time=summary["silence_time_s"],
        unattributed_words=summary["unattributed_words"],
        speakers=tuple(from_plain(SpeakerStats, s) for s in data["speakers"]),
        interruptions=tuple(from_plain(Interruption, i) for i in data["interruptions"]),
        interruption_matrix=data["interruption_matrix"],
        transitions=data["transitions"],
        group=from_plain(GroupIndices, data["group"]),
        verdict=from_plain(Verdict, data["verdict"]),
        timeline=tuple(from_plain(TimelineWindow, w) for w in data["timeline"]),
        voice=voice_from_dict(data.get("voice")),
        voice_removed=data.get("voice_removed") or None,
    )


def write_result_json(result: SessionResult, path: Path) -> None:
    """Write ``result.json`` atomically (a temp file renamed into place)."""
    write_text_atomic(path, json.dumps(result_to_dict(result), indent=2, ensure_ascii=False))
