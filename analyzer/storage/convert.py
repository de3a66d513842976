"""Turning a :class:`SessionResult` into database rows and back, losslessly.

Times and scores are written as plain Python floats (a numpy scalar from a model
adapter must not reach the database driver).

Speaker statistics, provenance and the small mappings are stored as JSON with
the same field names as ``result.json`` (via :mod:`analyzer.formats.serialize`), the
long per-session sequences (segments, words, turns, ...) as rows.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from analyzer.core.schema import (
    DirectiveHit, Diarization, GroupIndices, Interruption, ModelRef, Provenance, Recording,
    SessionMetrics, SessionResult, SpeakerConfidence, SpeakerSegment, SpeakerStats, SpeakerWord, TimelineWindow, Transcript,
    TranscriptSegment, Turn, Verdict, Word, HeatedStretch, RaisedVoice, VoiceMetrics, VoiceStats,
)
from analyzer.storage.models import (
    DirectiveRow, InterruptionRow, SegmentRow, SessionRow, SpeakerRow, TranscriptSegmentRow, TurnRow,
    WordRow,
)


def fill_session_row(row: SessionRow, result: SessionResult) -> None:
    """Copy the per-session columns and every child row of ``result`` into ``row``."""
    rec = result.recording
    row.path, row.sha256, row.duration = rec.path, rec.sha256, float(rec.duration)
    row.sample_rate, row.channels = int(rec.sample_rate), int(rec.channels)
    row.config = result.config
    row.provenance = provenance_to_json(result.provenance)
    row.schema_version = result.schema_version
    row.language = result.transcript.language
    row.language_probability = float(result.transcript.language_probability)
    row.diarization_speakers = list(result.diarization.speakers)
    _fill_metrics(row, result.metrics)
    row.speakers = speaker_rows(result)
    row.segments = [SegmentRow(position=i, exclusive=exclusive, speaker=s.speaker, start=float(s.start),
                               end=float(s.end))
                    for exclusive, track in ((False, result.diarization.segments),
                                             (True, result.diarization.exclusive))
                    for i, s in enumerate(track)]
    row.transcript_segments = [TranscriptSegmentRow(position=i, start=float(s.start), end=float(s.end),
                                                    text=s.text)
                               for i, s in enumerate(result.transcript.segments)]
    row.words = word_rows(result)
    row.turns = [TurnRow(position=i, turn_index=t.index, speaker=t.speaker, start=float(t.start),
                         end=float(t.end), text=t.text, word_count=t.word_count) for i, t in enumerate(result.turns)]
    interruptions = result.metrics.interruptions if result.metrics else ()
    row.interruptions = [InterruptionRow(position=i, **{**asdict(x), "type": x.type.value})
                         for i, x in enumerate(interruptions)]
    row.directives = [DirectiveRow(position=i, **asdict(d)) for i, d in enumerate(result.directives)]


def _fill_metrics(row: SessionRow, metrics: SessionMetrics | None) -> None:
    if metrics is None:
        row.verdict = row.verdict_reasons = row.summary = row.group_indices = None
        row.interruption_matrix = row.transitions = row.timeline = None
        return
    row.verdict = metrics.verdict.label.value
    row.verdict_reasons = list(metrics.verdict.reasons)
    row.summary = {"duration": metrics.duration, "total_speech": metrics.total_speech,
                   "overlap_time": metrics.overlap_time, "silence_time": metrics.silence_time,
                   "unattributed_words": metrics.unattributed_words}
    if metrics.voice is not None:  # a JSON value of the summary column: no migration, old rows read as None
        row.summary["voice"] = asdict(metrics.voice)
    if metrics.voice_removed:  # why a correction removed them (same column, read as None when absent)
        row.summary["voice_removed"] = metrics.voice_removed
    row.group_indices = asdict(metrics.group)
    row.interruption_matrix = metrics.interruption_matrix
    row.transitions = metrics.transitions
    row.timeline = [{"start": w.start, "end": w.end, "label": w.label.value, "speakers": list(w.speakers)}
                    for w in metrics.timeline]


def speaker_rows(result: SessionResult) -> list[SpeakerRow]:
    """One row per diarized speaker and per speaker the metrics list (silent attendees too)."""
    stats = {s.speaker: s for s in result.metrics.speakers} if result.metrics else {}
    labels = list(stats) + [label for label in result.diarization.speakers if label not in stats]
    rows = []
    for position, label in enumerate(labels):
        s = stats.get(label)
        row = SpeakerRow(position=position, label=label)
        if s is not None:
            row.share, row.speaking_time, row.turns = s.share, s.speaking_time, s.turns
            row.interruptions_made = s.interruptions_made.total
            row.interruptions_received = s.interruptions_received.total
            row.directives = s.directives.total
            row.stats = stats_to_json(s)
        confidence = result.diarization.confidence_of(label)
        if confidence is not None:
            row.confidence, row.confidence_detail = confidence.confidence, asdict(confidence)
        rows.append(row)
    return rows


def word_rows(result: SessionResult) -> list[WordRow]:
    """Words with the transcript segment they belong to (matched by identity, then by equality)."""
    owner: dict[int, int] = {}
    by_value: dict[Word, int] = {}
    for seg_pos, segment in enumerate(result.transcript.segments):
        for word in segment.words:
            owner[id(word)] = seg_pos
            by_value.setdefault(word, seg_pos)
    rows = []
    for i, sw in enumerate(result.words):
        w = sw.word
        seg_pos = owner.get(id(w), by_value.get(w))
        rows.append(WordRow(position=i, segment_position=seg_pos, start=float(w.start), end=float(w.end),
                            text=w.text, probability=float(w.probability), speaker=sw.speaker,
                            coverage=float(sw.coverage)))
    return rows


def stats_to_json(stats: SpeakerStats) -> dict[str, Any]:
    """A person's stats as stored (the JSON of schema 1: directive ``total`` written out)."""
    data = asdict(stats)
    data["directives"] = {"total": stats.directives.total, **data["directives"]}
    return data


def provenance_to_json(provenance: Provenance) -> dict[str, Any]:
    data = asdict(provenance)
    data["library_versions"] = [list(pair) for pair in provenance.library_versions]
    return data


def provenance_from_json(data: dict[str, Any]) -> Provenance:
    return Provenance(analyzer_version=data["analyzer_version"],
                      models=tuple(ModelRef(**m) for m in data["models"]),
                      device=data["device"], created_at=data["created_at"],
                      library_versions=tuple(tuple(pair) for pair in data.get("library_versions", ())))


def result_from_row(row: SessionRow, speaker_names: dict[str, str]) -> SessionResult:
    """Rebuild the :class:`SessionResult` stored in ``row`` (with the given speaker names)."""
    words = tuple(SpeakerWord(word=Word(w.start, w.end, w.text, w.probability), speaker=w.speaker,
                              coverage=w.coverage) for w in row.words)
    seg_words: dict[int, list[Word]] = {}
    for wrow, sw in zip(row.words, words):
        if wrow.segment_position is not None:
            seg_words.setdefault(wrow.segment_position, []).append(sw.word)
    transcript = Transcript(row.language, row.language_probability, tuple(
        TranscriptSegment(s.start, s.end, s.text, tuple(seg_words.get(s.position, ())))
        for s in row.transcript_segments))
    return SessionResult(
        recording=Recording(row.path, row.sha256, row.duration, row.sample_rate, row.channels),
        config=row.config,
        provenance=provenance_from_json(row.provenance),
        transcript=transcript,
        diarization=_diarization(row),
        words=words,
        turns=tuple(Turn(t.turn_index, t.speaker, t.start, t.end, t.text, t.word_count) for t in row.turns),
        directives=tuple(DirectiveHit(d.time, d.speaker, d.turn_index, d.category, d.rule, d.text)
                         for d in row.directives),
        metrics=_metrics(row),
        speaker_names=speaker_names,
        schema_version=row.schema_version,
    )


def _diarization(row: SessionRow) -> Diarization:
    track = {False: [], True: []}
    for s in row.segments:
        track[bool(s.exclusive)].append(SpeakerSegment(s.start, s.end, s.speaker))
    confidence = tuple(_known(SpeakerConfidence, s.confidence_detail) for s in row.speakers
                       if s.confidence_detail is not None)
    return Diarization(tuple(track[False]), tuple(track[True]), tuple(row.diarization_speakers),
                       confidence=confidence)


def metrics_from_row(row: SessionRow) -> SessionMetrics | None:
    """The session's metrics alone (reads its speakers and interruptions, not its words)."""
    return _metrics(row)


def _metrics(row: SessionRow) -> SessionMetrics | None:
    if row.verdict is None or row.summary is None or row.group_indices is None:
        return None
    summary = row.summary
    return SessionMetrics(
        duration=summary["duration"], total_speech=summary["total_speech"],
        overlap_time=summary["overlap_time"], silence_time=summary["silence_time"],
        unattributed_words=summary["unattributed_words"],
        speakers=tuple(_stats(s.stats) for s in row.speakers if s.stats is not None),
        interruptions=tuple(Interruption(i.time, i.interrupter, i.interrupted, i.type, i.overlap)
                            for i in row.interruptions),
        interruption_matrix=row.interruption_matrix or {},
        transitions=row.transitions or {},
        group=_known(GroupIndices, row.group_indices),
        verdict=Verdict(row.verdict, tuple(row.verdict_reasons or ())),
        timeline=tuple(TimelineWindow(w["start"], w["end"], w["label"], tuple(w["speakers"]))
                       for w in row.timeline or ()),
        voice=_voice(summary.get("voice")),
        voice_removed=summary.get("voice_removed") or None,
    )


def _voice(data: dict[str, Any] | None) -> VoiceMetrics | None:
    if not data:
        return None
    return VoiceMetrics(speakers=tuple(_known(VoiceStats, v) for v in data.get("speakers", [])),
                        raised=tuple(_known(RaisedVoice, r) for r in data.get("raised", [])),
                        heated=tuple(_known(HeatedStretch, {**h, "speakers": tuple(h.get("speakers", ()))})
                                     for h in data.get("heated", [])))


def _stats(data: dict[str, Any]) -> SpeakerStats:
    return _known(SpeakerStats, data)


def _known(cls: type, data: dict[str, Any]) -> Any:
    """Build ``cls`` from the keys it knows (rows written by other versions may have more)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
