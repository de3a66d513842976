"""Speech recognition with faster-whisper: the only module that imports faster_whisper.

Models come from the pinned cache (``tiny.en`` by default, ``base`` multilingual on
demand), a local CTranslate2 folder, or, only when the user names one and the hub is
reachable, a faster-whisper size such as ``small``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio
from analyzer.adapters.model_registry import load_manifest, resolve_model_path, sha256_of
from analyzer.core.config import AsrConfig
from analyzer.core.errors import ConfigError, ModelError
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import ModelRef, Transcript, TranscriptSegment, Word
from analyzer.adapters.pauses import pause_cuts

log = logging.getLogger(__name__)

HUB_SIZES = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
             "large-v1", "large-v2", "large-v3", "large-v3-turbo", "turbo", "distil-large-v3")


def resolve_asr_model(name: str) -> tuple[str, ModelRef, bool]:
    """Return (path or hub size, model reference, local_files_only) for an --asr-model value."""
    specs = load_manifest()
    if name in specs and specs[name].role == "asr":
        path = resolve_model_path(name, "asr")
        spec = specs[name]
        return str(path), ModelRef(name, "asr", spec.source_label, spec.main_sha256), True
    folder = Path(name).expanduser()
    if folder.is_dir():
        model_bin = folder / "model.bin"
        if not model_bin.is_file():
            raise ModelError(f"{folder}: not a CTranslate2 Whisper model folder (no model.bin); "
                             "give a converted faster-whisper model folder")
        return str(folder), ModelRef(folder.name, "asr", str(folder), sha256_of(model_bin)), True
    if name in HUB_SIZES:
        log.warning("using hub model %s: needs network the first time and is not pinned", name)
        return name, ModelRef(name, "asr", "huggingface hub (unpinned)", ""), False
    raise ConfigError(f"--asr-model {name!r}: not a manifest model ({', '.join(s for s in specs if specs[s].role == 'asr')}), "
                      "a local model folder, or a faster-whisper size")


class FasterWhisperTranscriber:
    """Holds one loaded Whisper model; :meth:`transcribe` returns words with timestamps."""

    def __init__(self, config: AsrConfig | None = None, device: str = "cpu") -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - dependency is pinned
            raise ModelError(f"faster-whisper is not installed ({exc}); reinstall floorshare") from None
        self.config = config or AsrConfig()
        path, ref, local_only = resolve_asr_model(self.config.model)
        self.models = (ref,)
        compute_type = self.config.compute_type if device == "cpu" else "float16"
        try:
            self.model = WhisperModel(path, device=device, compute_type=compute_type,
                                      cpu_threads=self.config.cpu_threads, local_files_only=local_only)
        except Exception as exc:
            raise ModelError(f"cannot load the speech model {self.config.model!r} ({exc}); "
                             "run `floorshare models fetch` or check --asr-model") from None
        self.multilingual = bool(self.model.model.is_multilingual)

    def transcribe(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                   config: AsrConfig | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio; reports progress per recognised segment (in seconds)."""
        config = config or self.config
        language = config.language or (None if self.multilingual else "en")
        if language and language != "en" and not self.multilingual:
            raise ConfigError(f"--language {language}: the model {config.model!r} is English-only; "
                              "use --asr-model base for other languages")
        total = round(audio.duration, 1)
        hook("transcribe", 0, total)
        cuts = pause_cuts(audio.samples, SAMPLE_RATE, config.max_piece_s) if config.max_piece_s else []
        bounds = list(zip([0, *cuts], [*cuts, len(audio.samples)]))
        segments: list[TranscriptSegment] = []
        detected = None
        for begin, end in bounds:
            offset = begin / SAMPLE_RATE
            segments_iter, info = self.model.transcribe(
                audio.samples[begin:end], language=language or (detected.language if detected else None),
                beam_size=config.beam_size, word_timestamps=True,
                vad_filter=config.vad_filter, condition_on_previous_text=False,
                temperature=config.temperature, repetition_penalty=config.repetition_penalty)
            detected = detected or info  # the first piece's language holds for the whole recording
            for segment in segments_iter:
                segments.append(_shifted(segment, offset))
                hook("transcribe", min(total, round(offset + segment.end, 1)), total)
        hook("transcribe", total, total)
        return Transcript(language=detected.language, language_probability=float(detected.language_probability),
                          segments=tuple(segments))


def _shifted(segment, offset: float) -> TranscriptSegment:
    """A faster-whisper segment as ours, its times moved by ``offset`` seconds (its piece's start)."""
    words = tuple(Word(round(offset + w.start, 3), round(offset + w.end, 3), w.word.strip(), round(w.probability, 4))
                  for w in (segment.words or ()) if w.word.strip())
    return TranscriptSegment(round(offset + segment.start, 3), round(offset + segment.end, 3),
                             segment.text.strip(), words)
