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
from analyzer.core.config import AnalysisConfig, AsrConfig, DiarizationConfig
from analyzer.core.errors import ConfigError
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import Diarization, ModelRef, Provenance, SessionResult, Transcript
from analyzer.pipeline.measure import measure

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
    """Runs the whole analysis of one recording with models that are loaded once.

    ``config`` is the configuration the models were loaded with. A call may pass another
    config that differs in per-call settings (speakers, thresholds, language...); one that
    differs in a setting fixed at load time raises :class:`ConfigError` instead of running
    with the loaded value while storing the new one.
    """

    def __init__(self, config: AnalysisConfig, transcriber: Transcriber, diarizer: Diarizer) -> None:
        self.config = config
        self.transcriber = transcriber
        self.diarizer = diarizer

    def analyze_file(self, path: str | Path, *, hook: Hook = null_hook,
                     config: AnalysisConfig | None = None, sha256: str | None = None) -> SessionResult:
        """Decode and analyse one recording; ``sha256``, when the caller hashed it already, is not recomputed."""
        hook("decode", 0, 1)
        audio = load_audio(path, sha256=sha256)
        hook("decode", 1, 1)
        return self.analyze_audio(audio, hook=hook, config=config)

    def analyze_audio(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                      config: AnalysisConfig | None = None) -> SessionResult:
        config = config or self.config
        self.check_loaded(config)
        diarization = self.diarizer.diarize(audio, hook=hook, config=bounded_by_attendees(config))
        transcript = self.transcriber.transcribe(audio, hook=hook, config=config.asr)
        measured = measure(diarization, tuple(transcript.words()), config,
                           duration=audio.recording.duration, hook=hook)
        return SessionResult(recording=audio.recording, config=config.to_dict(),
                             provenance=self._provenance(), transcript=transcript,
                             diarization=diarization, words=measured.words, turns=measured.turns,
                             directives=measured.directives, metrics=measured.metrics)

    def check_loaded(self, config: AnalysisConfig) -> None:
        """Raise :class:`ConfigError` when ``config`` changes a setting fixed when the models loaded."""
        loaded, wanted = self.config.load_time_settings(), config.load_time_settings()
        changed = [f"{key} {loaded[key]!r} -> {wanted[key]!r}" for key in loaded if wanted[key] != loaded[key]]
        if changed:
            raise ConfigError(f"{', '.join(changed)}: fixed when the models were loaded; build a new "
                              "analyzer for this configuration (analyzer.build_analyzer(config))")

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


def library_versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("torch", "pyannote.audio", "faster-whisper", "ctranslate2"):
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return tuple(found)


_DIARIZERS: dict[tuple, Diarizer] = {}
_TRANSCRIBERS: dict[tuple, Transcriber] = {}


def _is_manifest_model(name: str) -> bool:
    from analyzer.adapters.model_registry import load_manifest

    return name in load_manifest()


def _load_key(config: AnalysisConfig, section: str) -> tuple:
    settings = config.load_time_settings()
    return tuple(sorted((k, v) for k, v in settings.items() if k.startswith(section + ".") or k == "device"))


def build_analyzer(config: AnalysisConfig | None = None) -> Analyzer:
    """Build the real analyzer with pinned models, once per process and load-time settings.

    The diarizer and the transcriber are each kept per their load-time settings
    (:meth:`AnalysisConfig.load_time_settings`): a config that changes, say, only the
    segmentation step gets a new diarizer and the loaded speech model. The returned
    analyzer runs with ``config`` by default.
    """
    config = config or AnalysisConfig()
    diarizer_key, transcriber_key = _load_key(config, "diarization"), _load_key(config, "asr")
    if diarizer_key not in _DIARIZERS or transcriber_key not in _TRANSCRIBERS:
        from analyzer.adapters.privacy import enforce_offline
        from analyzer.adapters.transcribe import HUB_SIZES

        if config.asr.model not in HUB_SIZES or _is_manifest_model(config.asr.model):
            enforce_offline()  # pinned local models only: no hub, no telemetry
    if diarizer_key not in _DIARIZERS:
        from analyzer.adapters.diarize import PyannoteDiarizer

        _DIARIZERS[diarizer_key] = PyannoteDiarizer(config.diarization, device=config.device)
    diarizer = _DIARIZERS[diarizer_key]
    if transcriber_key not in _TRANSCRIBERS:
        from analyzer.adapters.transcribe import FasterWhisperTranscriber

        _TRANSCRIBERS[transcriber_key] = FasterWhisperTranscriber(config.asr, device=diarizer.device)
    return Analyzer(config, _TRANSCRIBERS[transcriber_key], diarizer)
