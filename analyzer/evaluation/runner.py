"""``floorshare eval``: run the pipeline on every recording of a manifest and score it.

Per file: DER/JER (no collar, overlap scored) and DER with a 0.25 s collar, with
the error split into missed speech, false alarm and confusion; the speaker-count error;
per-person share error (pp, after the optimal mapping) and the worst person's;
speaker-change recall/precision (within 0.5 s); each person's missed speech and the
quietest person's; interruption precision/recall/F1 per type (within 0.5 s); raised-voice
precision/recall/F1 (onset within 1 s, where the truth is known); the
verdict against the expected one and against the reference's own verdict (metrics on
the reference RTTM alone, as ``floorshare metrics --rttm``); WER.
Overall: DER/JER over all scored time, mean absolute speaker-count error and exact-count
rate, mean share error over all people and mean worst-person share error, change
recall/precision over all changes, mean quietest-person missed speech, summed
interruption counts, verdict accuracies and WER over all reference words.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from analyzer.core.config import AnalysisConfig
from analyzer.core.schema import SessionResult, SpeakerSegment
from analyzer.evaluation.manifest import Manifest, ManifestEntry, Truth, read_events, with_composed
from analyzer.evaluation.matching import Counts, match_interruptions
from analyzer.evaluation.people import change_counts, missed_per_person
from analyzer.evaluation.raised import match_raised, raised_truth
from analyzer.evaluation.scoring import DiarizationScorer, optimal_mapping, read_uem
from analyzer.evaluation.shares import share_error, shares_from_segments
from analyzer.evaluation.wer import WordErrors, word_errors
from analyzer.formats.references import ReferenceTranscript, read_transcript


@dataclass(frozen=True)
class FileScore:
    """Scores of one recording (None where the manifest gives no reference)."""

    id: str
    audio: str
    duration: float
    analysis_s: float
    system_speakers: int
    reference_speakers: int | None = None
    der: float | None = None
    jer: float | None = None
    der_collar: float | None = None
    missed_s: float | None = None
    false_alarm_s: float | None = None
    confusion_s: float | None = None
    scored_speech_s: float | None = None
    share_error_pp: dict[str, float] = field(default_factory=dict)
    share_mean_pp: float | None = None
    share_max_pp: float | None = None
    interruptions: dict[str, Counts] | None = None
    system_interruptions: tuple[tuple[float, str], ...] = ()  # (time, type) as reported, for diagnosis
    raised_voices: Counts | None = None  # raised-voice detection, where the truth is known
    raised_onset_errors: tuple[float, ...] = ()  # system onset minus truth onset of matched moments (s)
    system_raised: tuple[tuple[float, str], ...] = ()  # (start, speaker) as reported, for diagnosis
    verdict_expected: str | None = None
    verdict_system: str | None = None
    verdict_reference: str | None = None  # the metrics' verdict on the reference RTTM alone
    changes: Counts | None = None  # speaker changes matched within 0.5 s / reference / system
    missed_per_person: dict[str, float] = field(default_factory=dict)  # share of each person's speech lost
    quietest_person: str | None = None
    quietest_missed: float | None = None
    word_errors: WordErrors | None = None

    @property
    def speaker_count_error(self) -> int | None:
        return None if self.reference_speakers is None else self.system_speakers - self.reference_speakers

    @property
    def verdict_correct(self) -> bool | None:
        return None if self.verdict_expected is None else self.verdict_expected == self.verdict_system

    @property
    def verdict_matches_reference(self) -> bool | None:
        return None if self.verdict_reference is None else self.verdict_reference == self.verdict_system


@dataclass(frozen=True)
class References:
    """What is known about one recording."""

    segments: tuple[SpeakerSegment, ...] | None = None
    uem: tuple[tuple[float, float], ...] | None = None
    truth: Truth | None = None
    transcript: ReferenceTranscript | None = None


def load_references(entry: ManifestEntry, duration: float) -> References:
    """Read the entry's RTTM (its uri, else the only one), UEM, events and transcript."""
    from analyzer.core.errors import InputFormatError
    from analyzer.formats.rttm import read_rttm

    segments = None
    if entry.rttm is not None:
        by_uri = read_rttm(entry.rttm)
        uri = entry.uri or (next(iter(by_uri)) if len(by_uri) == 1 else entry.id)
        if uri not in by_uri:
            raise InputFormatError(f"{entry.rttm}: no SPEAKER lines for recording {uri!r}; "
                                   f"set uri = one of {', '.join(sorted(by_uri))} in the manifest")
        segments = by_uri[uri]
    uem = read_uem(entry.uem, entry.uri or entry.id) if entry.uem else ((0.0, duration),)
    truth = read_events(entry.events) if entry.events else None
    transcript = read_transcript(entry.transcript, entry.transcript_select) if entry.transcript else None
    return References(segments=segments, uem=uem, truth=truth, transcript=transcript)


def score_result(entry: ManifestEntry, result: SessionResult, refs: References, scorer: DiarizationScorer,
                 analysis_s: float = 0.0) -> FileScore:
    """Compare one analysis result with its references."""
    metrics = result.metrics
    system = result.diarization.segments
    system_shares = {s.speaker: s.share for s in (metrics.speakers if metrics else ()) if not s.silent_attendee}
    values: dict[str, Any] = {
        "id": entry.id, "audio": result.recording.path, "duration": result.recording.duration,
        "analysis_s": round(analysis_s, 2), "system_speakers": len({s.speaker for s in system}),
        "reference_speakers": entry.speakers,
        "verdict_expected": entry.verdict or (refs.truth.verdict if refs.truth else None),
        "verdict_system": metrics.verdict.label if metrics else None,
    }
    if refs.segments is not None:
        scored = scorer.score(refs.segments, system, refs.uem, uri=entry.id)
        mapping = optimal_mapping(refs.segments, system, uri=entry.id)
        shares = share_error(shares_from_segments(refs.segments), system_shares, mapping)
        people = missed_per_person(refs.segments, system, mapping)
        values.update(verdict_reference=reference_verdict(refs.segments, result),
                      changes=change_counts(refs.segments, result.diarization.exclusive),
                      missed_per_person={p.person: p.missed for p in people},
                      quietest_person=people[0].person if people else None,
                      quietest_missed=people[0].missed if people else None)
        values.update(reference_speakers=len({s.speaker for s in refs.segments}), der=scored.der, jer=scored.jer,
                      der_collar=scored.der_collar, missed_s=round(scored.missed, 3),
                      false_alarm_s=round(scored.false_alarm, 3), confusion_s=round(scored.confusion, 3),
                      scored_speech_s=round(scored.total, 3), share_error_pp=shares.per_person,
                      share_mean_pp=shares.mean_pp, share_max_pp=shares.max_pp)
    if metrics is not None:
        values["system_interruptions"] = tuple((round(i.time, 3), i.type) for i in metrics.interruptions)
    if refs.truth is not None:
        values["interruptions"] = match_interruptions(refs.truth.interruptions,
                                                      metrics.interruptions if metrics else ())
    voice = metrics.voice if metrics is not None else None
    if voice is not None:
        values["system_raised"] = tuple((round(m.start, 3), m.speaker) for m in voice.raised)
        truth = None
        if refs.truth is not None and refs.truth.level_changes is not None:
            truth = raised_truth(refs.truth.level_changes)
        elif entry.raised_voices == 0:
            truth = []
        if truth is not None:
            counts, errors = match_raised(truth, voice.raised)
            values.update(raised_voices=counts, raised_onset_errors=tuple(round(e, 3) for e in errors))
    if refs.transcript is not None:
        hypothesis = " ".join(w.text for w in result.transcript.words())
        values["word_errors"] = word_errors(refs.transcript.text, hypothesis)
    return FileScore(**values)


def reference_verdict(reference: Sequence[SpeakerSegment], result: SessionResult) -> str | None:
    """The verdict the metrics give on the reference diarization alone (no words), with the same settings."""
    from analyzer.pipeline.sources import metrics_from_segments

    if not reference:
        return None
    config = AnalysisConfig.from_dict({k: v for k, v in result.config.items() if k in ("metrics",)}) \
        if isinstance(result.config, dict) and "metrics" in result.config else AnalysisConfig()
    metrics = metrics_from_segments(reference, config, duration=result.recording.duration)[0]
    return metrics.verdict.label


def entry_config(base: AnalysisConfig, entry: ManifestEntry, refs: References) -> AnalysisConfig:
    """The base config plus what the manifest says about attendees and the speaker count."""
    attendees: tuple[str, ...] | None = None
    if refs.truth is not None and refs.truth.attendees:
        attendees = refs.truth.attendees
    elif entry.attendees:
        attendees = tuple(f"attendee_{i + 1}" for i in range(entry.attendees))
    return base.with_updates(metrics={"attendees": attendees},
                             diarization={"num_speakers": entry.num_speakers})


def compose_entry(entry: ManifestEntry, work_dir: Path) -> ManifestEntry:
    """Compose a scenario entry into ``work_dir`` and point the entry at the files."""
    from analyzer.compose import compose_meeting, load_scenario, write_meeting

    files = write_meeting(compose_meeting(load_scenario(entry.scenario)), work_dir)
    return with_composed(entry, files.audio, files.rttm, files.events)


def evaluate_manifest(manifest: Manifest, analyzer, base_config: AnalysisConfig, work_dir: Path,
                      hook_for: Callable[[str], Any] | None = None,
                      on_file: Callable[[FileScore], None] | None = None) -> tuple[list[FileScore], dict]:
    """Analyse and score every recording; return the file scores and the overall summary.

    Args:
        manifest: the recordings and references.
        analyzer: an :class:`analyzer.pipeline.analysis.Analyzer` (real or with fakes).
        base_config: the analysis settings (attendees and speaker counts come from the manifest).
        work_dir: where composed scenarios are written.
        hook_for: builds a progress hook (a context manager) per recording id, optional.
        on_file: called with each file's scores as soon as they exist.
    """
    from analyzer.adapters.audio import probe_audio

    scorer = DiarizationScorer()
    scores = []
    for entry in manifest.entries:
        if entry.scenario is not None:
            entry = compose_entry(entry, work_dir)
        refs = load_references(entry, probe_audio(entry.audio)[0])
        config = entry_config(base_config, entry, refs)
        started = time.perf_counter()
        if hook_for is None:
            result = analyzer.analyze_file(entry.audio, config=config)
        else:
            with hook_for(entry.id) as hook:
                result = analyzer.analyze_file(entry.audio, hook=hook, config=config)
        score = score_result(entry, result, refs, scorer, time.perf_counter() - started)
        scores.append(score)
        if on_file is not None:
            on_file(score)
    return scores, summarize(scores, scorer)


def summarize(scores: Sequence[FileScore], scorer: DiarizationScorer | None = None) -> dict[str, Any]:
    """Overall figures over all files that have the needed reference."""
    summary: dict[str, Any] = {"files": len(scores), "audio_s": round(sum(s.duration for s in scores), 1),
                               "analysis_s": round(sum(s.analysis_s for s in scores), 1)}
    if scorer is not None and any(s.der is not None for s in scores):
        summary.update(scorer.overall())
    counts = [s.speaker_count_error for s in scores if s.speaker_count_error is not None]
    if counts:
        summary["speaker_count_mae"] = sum(abs(c) for c in counts) / len(counts)
        summary["speaker_count_exact"] = sum(1 for c in counts if c == 0) / len(counts)
    people = [e for s in scores for e in s.share_error_pp.values()]
    if people:
        summary["share_mean_pp"] = sum(people) / len(people)
        summary["share_max_pp"] = max(people)
        worst = [s.share_max_pp for s in scores if s.share_max_pp is not None]
        summary["share_worst_mean_pp"] = sum(worst) / len(worst)
    scored = [s for s in scores if s.scored_speech_s]
    if scored:
        speech = sum(s.scored_speech_s for s in scored)
        summary["error_split"] = {name: sum(getattr(s, f"{name}_s") for s in scored) / speech
                                  for name in ("missed", "false_alarm", "confusion")}
    changes = [s.changes for s in scores if s.changes is not None]
    if changes:
        summary["changes"] = _counts_dict(sum(changes, Counts(0, 0, 0)))
    quiet = [s.quietest_missed for s in scores if s.quietest_missed is not None]
    if quiet:
        summary["quietest_missed_mean"] = sum(quiet) / len(quiet)
        summary["quietest_missed_max"] = max(quiet)
    matches = [s.verdict_matches_reference for s in scores if s.verdict_matches_reference is not None]
    if matches:
        summary["verdict_reference_accuracy"] = sum(matches) / len(matches)
        summary["verdicts_reference_scored"] = len(matches)
    interrupts = [s.interruptions for s in scores if s.interruptions is not None]
    if interrupts:
        summary["interruptions"] = {kind: _counts_dict(sum((i[kind] for i in interrupts), Counts(0, 0, 0)))
                                    for kind in interrupts[0]}
    raised = [s for s in scores if s.raised_voices is not None]
    if raised:
        summary["raised_voices"] = _counts_dict(sum((s.raised_voices for s in raised), Counts(0, 0, 0)))
        errors = [abs(e) for s in raised for e in s.raised_onset_errors]
        summary["raised_voices"]["mean_onset_error_s"] = sum(errors) / len(errors) if errors else None
        summary["raised_voices"]["files"] = len(raised)
    verdicts = [s.verdict_correct for s in scores if s.verdict_correct is not None]
    if verdicts:
        summary["verdict_accuracy"] = sum(verdicts) / len(verdicts)
        summary["verdicts_scored"] = len(verdicts)
    errors = [s.word_errors for s in scores if s.word_errors is not None]
    if errors:
        summary["wer"] = sum(errors, WordErrors(0, 0, 0, 0)).wer
    return summary


def _counts_dict(counts: Counts) -> dict[str, Any]:
    return {"matched": counts.matched, "reference": counts.reference, "system": counts.system,
            "precision": counts.precision, "recall": counts.recall, "f1": counts.f1}


def file_score_dict(score: FileScore) -> dict[str, Any]:
    """A JSON-ready view of one file's scores."""
    data = asdict(score)
    data["speaker_count_error"] = score.speaker_count_error
    data["verdict_correct"] = score.verdict_correct
    data["verdict_matches_reference"] = score.verdict_matches_reference
    data["changes"] = _counts_dict(score.changes) if score.changes is not None else None
    data["interruptions"] = ({k: _counts_dict(v) for k, v in score.interruptions.items()}
                             if score.interruptions is not None else None)
    data["raised_voices"] = _counts_dict(score.raised_voices) if score.raised_voices is not None else None
    data["wer"] = score.word_errors.wer if score.word_errors is not None else None
    return data
