"""The analysis pipeline: audio -> diarization + transcript -> words -> turns -> metrics.

It depends on small protocols (:class:`Transcriber`, :class:`Diarizer`) so tests
can inject fakes; the real adapters live in :mod:`analyzer.adapters.transcribe` and
:mod:`analyzer.adapters.diarize` and are built once per process by :func:`build_analyzer`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from analyzer import __version__
from analyzer.adapters.audio import LoadedAudio, load_audio
from analyzer.core.align import attribute_words, build_turns, unattributed_count
from analyzer.core.config import AnalysisConfig, AsrConfig, DiarizationConfig
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import Diarization, ModelRef, Provenance, SessionResult, Transcript

log = logging.getLogger(__name__)


class Transcriber(Protocol):
    models: tuple[ModelRef, ...]

    def transcribe(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                   config: AsrConfig | None = None) -> Transcript: ...


class Diarizer(Protocol):
    models: tuple[ModelRef, ...]
    device: str

    def diarize(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                config: DiarizationConfig | None = None) -> Diarization: ...


class Analyzer:
    """Runs the whole analysis of one recording with models that are loaded once."""

    def __init__(self, config: AnalysisConfig, transcriber: Transcriber, diarizer: Diarizer) -> None:
        self.config = config
        self.transcriber = transcriber
        self.diarizer = diarizer

    def analyze_file(self, path: str | Path, *, hook: Hook = null_hook,
                     config: AnalysisConfig | None = None) -> SessionResult:
        hook("decode", 0, 1)
        audio = load_audio(path)
        hook("decode", 1, 1)
        return self.analyze_audio(audio, hook=hook, config=config)

    def analyze_audio(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                      config: AnalysisConfig | None = None) -> SessionResult:
        config = config or self.config
        diarization = self.diarizer.diarize(audio, hook=hook, config=bounded_by_attendees(config))
        transcript = self.transcriber.transcribe(audio, hook=hook, config=config.asr)
        hook("align", 0, 1)
        words = attribute_words(transcript.words(), diarization.exclusive, config.alignment.max_snap_s)
        turns = build_turns(words, config.alignment.max_gap_s)
        hook("align", 1, 1)
        result = SessionResult(recording=audio.recording, config=config.to_dict(),
                               provenance=self._provenance(), transcript=transcript,
                               diarization=diarization, words=words, turns=turns)
        hook("metrics", 0, 1)
        result = complete_result(result, config, unattributed_count(words))
        hook("metrics", 1, 1)
        return result

    def _provenance(self) -> Provenance:
        return Provenance(analyzer_version=__version__,
                          models=(*self.diarizer.models, *self.transcriber.models),
                          device=self.diarizer.device,
                          created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          library_versions=library_versions())


def bounded_by_attendees(config: AnalysisConfig) -> DiarizationConfig:
    """The diarization settings, with the number of attendees (silent ones included) as the most
    speakers there can be when no count or upper bound was given."""
    diarization = config.diarization
    people = len(config.metrics.attendees)
    if people and diarization.num_speakers is None and diarization.max_speakers is None \
            and (diarization.min_speakers or 0) <= people:
        return replace(diarization, max_speakers=people)
    return diarization


def complete_result(result: SessionResult, config: AnalysisConfig, unattributed: int) -> SessionResult:
    """Add directives and metrics (pure stages) to a result that has turns."""
    from analyzer.directives import find_directives
    from analyzer.metrics import compute_metrics

    directives = find_directives(result.turns, language=config.directives_language, words=result.words)
    metrics = compute_metrics(diarization=result.diarization, turns=result.turns, words=result.words,
                              directives=directives, duration=result.recording.duration,
                              config=config.metrics, unattributed_words=unattributed)
    return replace(result, directives=directives, metrics=metrics)


def library_versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("torch", "pyannote.audio", "faster-whisper", "ctranslate2"):
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return tuple(found)


_ANALYZERS: dict[tuple, Analyzer] = {}


def _is_manifest_model(name: str) -> bool:
    from analyzer.adapters.model_registry import load_manifest

    return name in load_manifest()


def build_analyzer(config: AnalysisConfig | None = None) -> Analyzer:
    """Build (once per process and model choice) the real analyzer with pinned models."""
    config = config or AnalysisConfig()
    key = (config.asr.model, config.asr.compute_type, config.device)
    if key not in _ANALYZERS:
        from analyzer.adapters.privacy import enforce_offline
        from analyzer.adapters.transcribe import HUB_SIZES

        if config.asr.model not in HUB_SIZES or _is_manifest_model(config.asr.model):
            enforce_offline()  # pinned local models only: no hub, no telemetry
        from analyzer.adapters.diarize import PyannoteDiarizer
        from analyzer.adapters.transcribe import FasterWhisperTranscriber

        diarizer = PyannoteDiarizer(config.diarization, device=config.device)
        transcriber = FasterWhisperTranscriber(config.asr, device=diarizer.device)
        _ANALYZERS[key] = Analyzer(config, transcriber, diarizer)
    analyzer = _ANALYZERS[key]
    return Analyzer(config, analyzer.transcriber, analyzer.diarizer)
