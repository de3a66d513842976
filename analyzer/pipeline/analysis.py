"""The analysis pipeline: audio -> diarization + transcript -> words -> turns -> metrics.

It depends on small protocols (:class:`Transcriber`, :class:`Diarizer`, :class:`Prosody`) so
tests can inject fakes; the real adapters live in :mod:`analyzer.adapters.transcribe`,
:mod:`analyzer.adapters.diarize` and :mod:`analyzer.adapters.voice` and are built once per process by
:func:`build_analyzer`. Without a prosody stage (``prosody=None``) results carry no voice metrics.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, Sequence

from analyzer import __version__
from analyzer.adapters.audio import LoadedAudio, load_audio
from analyzer.adapters.memory_release import MemoryReleaser
from analyzer.core.config import AnalysisConfig, AsrConfig, DiarizationConfig, VoiceConfig
from analyzer.core.errors import ConfigError
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import (
    Diarization, ModelRef, Provenance, SessionResult, SpeakerSegment, Transcript, VoiceFrames,
)
from analyzer.pipeline.measure import measure
from analyzer.pipeline.scheduling import plan_threads, run_side_by_side

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


class Prosody(Protocol):
    """Frame features (level, pitch) of each segment given (the pipeline gives solo exclusive speech)."""

    def extract(self, audio: LoadedAudio, exclusive: Sequence[SpeakerSegment], *, hook: Hook = null_hook,
                config: VoiceConfig | None = None) -> tuple[VoiceFrames, ...]: ...


class Analyzer:
    """Runs the whole analysis of one recording with models that are loaded once.

    ``config`` is the configuration the models were loaded with. A call may pass another
    config that differs in per-call settings (speakers, thresholds, language...); one that
    differs in a setting fixed at load time raises :class:`ConfigError` instead of running
    with the loaded value while storing the new one.
    """

    def __init__(self, config: AnalysisConfig, transcriber: Transcriber, diarizer: Diarizer,
                 prosody: Prosody | None = None) -> None:
        self.config = config
        self.transcriber = transcriber
        self.diarizer = diarizer
        self.prosody = prosody

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
        with MemoryReleaser(config.runtime.release_memory_s):
            diarization, transcript = self._diarize_and_transcribe(audio, hook, config)
            frames = None
            if self.prosody is not None and config.voice.enabled:
                from analyzer.metrics.voice import solo_speech

                frames = self.prosody.extract(audio, solo_speech(diarization), hook=hook, config=config.voice)
        measured = measure(diarization, tuple(transcript.words()), config,
                           duration=audio.recording.duration, hook=hook, voice_frames=frames)
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

    def _diarize_and_transcribe(self, audio: LoadedAudio, hook: Hook,
                                config: AnalysisConfig) -> tuple[Diarization, Transcript]:
        """Both model stages; side by side on the CPU cores when the runtime config says so."""
        plan = plan_threads(config.runtime.threads, config.runtime.overlap_stages, self.diarizer.device)
        set_threads = getattr(self.diarizer, "set_threads", None)
        if not plan.overlap:
            if set_threads is not None:
                set_threads(plan.diarize_alone)
            return (self.diarizer.diarize(audio, hook=hook, config=bounded_by_attendees(config)),
                    self.transcriber.transcribe(audio, hook=hook, config=config.asr))

        def with_tick(tick):
            def stage_hook(stage: str, completed: float, total: float) -> None:
                hook(stage, completed, total)
                tick()
            return stage_hook

        return run_side_by_side(
            lambda tick: self.diarizer.diarize(audio, hook=with_tick(tick), config=bounded_by_attendees(config)),
            lambda tick: self.transcriber.transcribe(audio, hook=with_tick(tick), config=config.asr),
            set_threads, plan)

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
    for name in ("torch", "pyannote.audio", "faster-whisper", "ctranslate2", "librosa"):
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return tuple(found)


_DIARIZERS: dict[tuple, Diarizer] = {}
_TRANSCRIBERS: dict[tuple, Transcriber] = {}
_PROSODY: list[Prosody] = []


def _prosody() -> Prosody:
    """The librosa feature stage, built and warmed up (numba kernels compiled) once per process."""
    if not _PROSODY:
        from analyzer.adapters.voice import LibrosaProsody

        prosody = LibrosaProsody()
        prosody.warm_up()  # compiled here, with the models, not in the first analysis
        _PROSODY.append(prosody)
    return _PROSODY[0]


def _is_manifest_model(name: str) -> bool:
    from analyzer.adapters.model_registry import load_manifest

    return name in load_manifest()


def _load_key(config: AnalysisConfig, section: str, *extra: tuple) -> tuple:
    settings = config.load_time_settings()
    return tuple(sorted((k, v) for k, v in settings.items()
                        if k.startswith((section + ".", "runtime.")) or k == "device")) + extra


def asr_threads(config: AnalysisConfig) -> int:
    """The speech model's CPU threads: ``asr.cpu_threads`` when set, else its share when the
    stages run side by side (half the cores), else 0 (faster-whisper's default)."""
    device = "cpu" if config.device in ("cpu", "auto") else config.device
    return config.asr.cpu_threads or plan_threads(config.runtime.threads, config.runtime.overlap_stages,
                                                  device).asr_threads


def build_analyzer(config: AnalysisConfig | None = None) -> Analyzer:
    """Build the real analyzer with pinned models, once per process and load-time settings.

    The diarizer and the transcriber are each kept per their load-time settings
    (:meth:`AnalysisConfig.load_time_settings`): a config that changes, say, only the
    segmentation step gets a new diarizer and the loaded speech model. The returned
    analyzer runs with ``config`` by default.
    """
    config = config or AnalysisConfig()
    threads = asr_threads(config)
    diarizer_key, transcriber_key = _load_key(config, "diarization"), _load_key(config, "asr", ("threads", threads))
    if diarizer_key not in _DIARIZERS or transcriber_key not in _TRANSCRIBERS:
        from analyzer.adapters.privacy import enforce_offline
        from analyzer.adapters.transcribe import HUB_SIZES

        if config.asr.model not in HUB_SIZES or _is_manifest_model(config.asr.model):
            enforce_offline()  # pinned local models only: no hub, no telemetry
    if diarizer_key not in _DIARIZERS:
        from analyzer.adapters.diarize import PyannoteDiarizer

        _DIARIZERS[diarizer_key] = PyannoteDiarizer(config.diarization, device=config.device,
                                                    onnx=config.runtime.onnx)
    diarizer = _DIARIZERS[diarizer_key]
    if transcriber_key not in _TRANSCRIBERS:
        from analyzer.adapters.transcribe import FasterWhisperTranscriber

        _TRANSCRIBERS[transcriber_key] = FasterWhisperTranscriber(replace(config.asr, cpu_threads=threads),
                                                                  device=diarizer.device)
    return Analyzer(config, _TRANSCRIBERS[transcriber_key], diarizer, _prosody() if config.voice.enabled else None)
