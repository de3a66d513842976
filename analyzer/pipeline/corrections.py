"""Correcting a session's diarization: merge two labels, split a label at a time range, re-assign a turn.

Each correction edits both diarization tracks and then recomputes everything downstream
through the same path as an analysis: words re-attributed to the corrected exclusive
track, turns rebuilt, directives and every metric and the verdict recomputed, all by the one
words -> metrics path (:func:`analyzer.pipeline.measure.measure`). The transcript is
kept as it was recognised. Pure Python (no models).

Voice figures (vocal energy, pitch, pace, raised voices) depend on whose speech each frame
is, so they are recomputed too: a correction given ``voice`` (a :class:`VoiceSource`, e.g.
:class:`analyzer.pipeline.revoice.RecordingVoice`, which runs the prosody stage again on the
session's own recording) measures the corrected people's solo speech. Without one, or when it
cannot (the recording moved or changed), the corrected session has no voice figures rather
than figures of the people as they were before the correction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError, InputFormatError
from analyzer.core.schema import Diarization, SessionResult, SpeakerSegment, VoiceFrames
from analyzer.metrics.voice import solo_speech
from analyzer.pipeline.measure import measure
from analyzer.voices.matching import weighted_mean


class VoiceSource(Protocol):
    """Frame features of the given solo speech of the session's recording; None when it cannot."""

    def __call__(self, segments: Sequence[SpeakerSegment],
                 config: AnalysisConfig) -> Sequence[VoiceFrames] | None: ...


def merge_speakers(result: SessionResult, keep: str, drop: str, *, voice: VoiceSource | None = None) -> SessionResult:
    """``drop`` was the same person as ``keep``: every segment of ``drop`` becomes ``keep``'s."""
    _require_label(result, keep)
    _require_label(result, drop)
    if keep == drop:
        raise InputFormatError(f"cannot merge {keep} with itself; give two different labels")
    d = result.diarization
    speech = _speech(d)
    embeddings = dict(d.embeddings)
    vectors = [(embeddings[x], speech.get(x, 0.0)) for x in (keep, drop) if x in embeddings]
    embeddings.pop(drop, None)
    if vectors:
        embeddings[keep] = weighted_mean([v for v, _ in vectors], [w for _, w in vectors])
    rename = {drop: keep}
    corrected = _relabel(d, lambda s: rename.get(s.speaker, s.speaker), embeddings)
    names = {k: v for k, v in result.speaker_names.items() if k != drop}
    matches = {k: v for k, v in result.speaker_matches.items() if k != drop}
    return recompute(replace(result, speaker_names=names, speaker_matches=matches), corrected, voice=voice)


def split_speaker(result: SessionResult, label: str, start: float, end: float,
                  to: str | None = None, *, voice: VoiceSource | None = None) -> tuple[SessionResult, str]:
    """``label``'s speech between ``start`` and ``end`` seconds belongs to ``to`` (an existing
    label, or a new one when None). Returns the corrected result and the label that got it."""
    _require_label(result, label)
    if not (0 <= start < end):
        raise InputFormatError(f"split {label} from {start} s to {end} s: give 0 <= start < end")
    d = result.diarization
    target = to or _new_label(d)
    if target == label:
        raise InputFormatError(f"cannot split {label} into itself; give another label or none for a new one")

    def cut(track: tuple[SpeakerSegment, ...]) -> list[SpeakerSegment]:
        out = []
        for s in track:
            if s.speaker != label or s.end <= start or s.start >= end:
                out.append(s)
                continue
            if s.start < start:
                out.append(SpeakerSegment(s.start, start, label))
            out.append(SpeakerSegment(max(s.start, start), min(s.end, end), target))
            if s.end > end:
                out.append(SpeakerSegment(end, s.end, label))
        return out

    moved = sum(min(s.end, end) - max(s.start, start) for s in d.exclusive
                if s.speaker == label and s.end > start and s.start < end)
    if moved <= 0 and not any(s.speaker == label and s.end > start and s.start < end for s in d.segments):
        raise InputFormatError(f"{label} does not speak between {start:.1f} s and {end:.1f} s; nothing to split")
    corrected = _build(cut(d.segments), cut(d.exclusive), d.embeddings)
    return recompute(result, corrected, voice=voice), target


def reassign_turn(result: SessionResult, turn_index: int, to: str | None = None, *,
                  voice: VoiceSource | None = None) -> tuple[SessionResult, str]:
    """Turn ``turn_index`` was spoken by ``to`` (a label, or a new one when None).

    The stretch moved is the turn's words widened to the diarization segments under them,
    never reaching into the same speaker's previous or next turn."""
    turn = next((t for t in result.turns if t.index == turn_index), None)
    if turn is None:
        raise InputFormatError(f"there is no turn {turn_index}; turns are numbered 0 to {len(result.turns) - 1}")
    same = [t for t in result.turns if t.speaker == turn.speaker and t.index != turn.index]
    floor = max((t.end for t in same if t.index < turn.index), default=0.0)
    ceiling = min((t.start for t in same if t.index > turn.index), default=float("inf"))
    under = [s for s in result.diarization.segments
             if s.speaker == turn.speaker and s.end > turn.start and s.start < turn.end]
    start = max(min([turn.start, *(s.start for s in under)]), floor)
    end = min(max([turn.end, *(s.end for s in under)]), ceiling)
    return split_speaker(result, turn.speaker, start, end, to, voice=voice)


def recompute(result: SessionResult, diarization: Diarization, *, voice: VoiceSource | None = None) -> SessionResult:
    """Everything downstream of the diarization, recomputed by the one words -> metrics path
    (:func:`analyzer.pipeline.measure.measure`): words, turns, directives, metrics, verdict.

    Voice figures: recomputed from ``voice`` on the corrected solo speech when the session had
    them and ``voice`` gives frames; otherwise the corrected session has none (never stale ones)
    and its ``metrics.voice_removed`` says why (``voice.reason``), so reports can tell the user."""
    try:
        config = AnalysisConfig.from_dict(result.config)
    except (ConfigError, TypeError):
        config = AnalysisConfig()
    frames = None
    if voice is not None and result.metrics is not None and result.metrics.voice is not None:
        frames = voice(solo_speech(diarization), config)
    measured = measure(diarization, tuple(w.word for w in result.words), config, duration=result.recording.duration,
                       voice_frames=frames)
    metrics = measured.metrics
    if metrics is not None and metrics.voice is None:
        metrics = replace(metrics, voice_removed=_voice_removed(result, voice))
    labels = set(diarization.speakers)
    names = {k: v for k, v in result.speaker_names.items() if k in labels or k not in result.diarization.speakers}
    matches = {k: v for k, v in result.speaker_matches.items() if k in labels}
    return replace(result, diarization=diarization, words=measured.words, turns=measured.turns,
                   directives=measured.directives, metrics=metrics, speaker_names=names,
                   speaker_matches=matches)


def _voice_removed(before: SessionResult, voice: VoiceSource | None) -> str | None:
    """Why the corrected session has no voice figures when ``before`` had them (or had them removed
    by an earlier correction); None when it never had any."""
    if before.metrics is None:
        return None
    if before.metrics.voice is None:
        return before.metrics.voice_removed
    return getattr(voice, "reason", "") or "the recording was not read again"


def _require_label(result: SessionResult, label: str) -> None:
    if label not in result.diarization.speakers:
        raise InputFormatError(f"no speaker {label!r} in this session; its labels: "
                               f"{', '.join(result.diarization.speakers) or 'none'}")


def _speech(d: Diarization) -> dict[str, float]:
    found: dict[str, float] = {}
    for s in d.exclusive:
        found[s.speaker] = found.get(s.speaker, 0.0) + s.duration
    return found


def _new_label(d: Diarization) -> str:
    n = 0
    while f"SPEAKER_{n:02d}" in d.speakers:
        n += 1
    return f"SPEAKER_{n:02d}"


def _relabel(d: Diarization, label_of, embeddings) -> Diarization:  # noqa: ANN001
    return _build([replace(s, speaker=label_of(s)) for s in d.segments],
                  [replace(s, speaker=label_of(s)) for s in d.exclusive], embeddings)


def _build(segments: list[SpeakerSegment], exclusive: list[SpeakerSegment], embeddings) -> Diarization:  # noqa: ANN001
    """Join each speaker's overlapping or touching pieces; tracks sorted as the diarizer sorts them."""
    merged_segments = _join(segments)
    speakers = tuple(sorted({s.speaker for s in merged_segments}))
    kept = {k: v for k, v in embeddings.items() if k in speakers}
    return Diarization(merged_segments, _join(exclusive), speakers, kept)


def _join(track: list[SpeakerSegment]) -> tuple[SpeakerSegment, ...]:
    by_speaker: dict[str, list[SpeakerSegment]] = {}
    for s in sorted(track, key=lambda s: (s.start, s.end)):
        pieces = by_speaker.setdefault(s.speaker, [])
        if pieces and s.start <= pieces[-1].end + 1e-9:
            pieces[-1] = SpeakerSegment(pieces[-1].start, max(pieces[-1].end, s.end), s.speaker)
        else:
            pieces.append(s)
    joined = [s for pieces in by_speaker.values() for s in pieces]
    return tuple(sorted(joined, key=lambda s: (s.start, s.end, s.speaker)))
