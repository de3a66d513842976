"""The one module that imports librosa: frame features of each person's exclusive speech.

For every exclusive diarization segment, :class:`LibrosaProsody` computes on a view of the
decoded samples (never a copy of the audio):

- the RMS level of 50 ms frames every 20 ms, in dBFS (``librosa.feature.rms``);
- the fundamental frequency of the same frames (``librosa.yin``, 65-400 Hz), kept only where
  the frame is voiced: loud enough (within 30 dB of the segment's loudest frames), a low
  zero-crossing rate (``librosa.feature.zero_crossing_rate`` < 0.2: fricatives and noise cross
  zero far more often than voiced speech) and an estimate inside the search range.

Long segments are cut into chunks of at most :data:`CHUNK_S` seconds, so the memory of the
stage is bounded by the chunk (about 30 MiB: yin's FFT workspace) plus the frame features (8 bytes per 20 ms frame,
5.5 MiB for a 4-hour meeting), whatever the recording's length.
"""

from __future__ import annotations

from array import array
from typing import Sequence

import numpy as np

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio
from analyzer.core.config import VoiceConfig
from analyzer.core.progress import Hook, null_hook
from analyzer.core.schema import SpeakerSegment, VoiceFrames

CHUNK_S = 30.0
LEVEL_FLOOR_DB = -100.0
PITCH_FRAME = 1024  # 64 ms: two periods of the lowest pitch searched (65 Hz)
MAX_VOICED_ZCR = 0.2
VOICED_RANGE_DB = 30.0


def librosa_version() -> str:
    import librosa

    return str(librosa.__version__)


class LibrosaProsody:
    """Frame features (level, pitch) of exclusive speech, computed with librosa."""

    name = "librosa"

    def __init__(self, config: VoiceConfig | None = None) -> None:
        self.config = config or VoiceConfig()
        self._warmed = False

    def warm_up(self) -> None:
        """Import librosa and compile its kernels once (numba), so the first recording is not slower."""
        if not self._warmed:
            tone = (0.1 * np.sin(2 * np.pi * 150 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.float32)
            self._segment_frames(tone, self.config)
            self._warmed = True

    def extract(self, audio: LoadedAudio, exclusive: Sequence[SpeakerSegment], *, hook: Hook = null_hook,
                config: VoiceConfig | None = None) -> tuple[VoiceFrames, ...]:
        """One :class:`VoiceFrames` per exclusive segment long enough for a frame."""
        config = config or self.config
        _check(config)
        samples = audio.samples  # (n,) float32, 16 kHz mono; only sliced (views) below
        hop = int(round(config.hop_s * SAMPLE_RATE))
        frame = int(round(config.frame_s * SAMPLE_RATE))
        chunk = int(CHUNK_S * SAMPLE_RATE) // hop * hop
        total = len(exclusive)
        hook("prosody", 0, total)
        out = []
        for index, seg in enumerate(sorted(exclusive, key=lambda s: s.start)):
            first, last = max(0, int(round(seg.start * SAMPLE_RATE))), min(len(samples), int(round(seg.end * SAMPLE_RATE)))
            if last - first < max(frame, PITCH_FRAME):
                continue
            levels, pitches = array("f"), array("f")
            for begin in range(first, last, chunk):
                end = min(last, begin + chunk + max(frame, PITCH_FRAME) - hop)
                if end - begin < max(frame, PITCH_FRAME):
                    break
                level, pitch = self._segment_frames(samples[begin:end], config)
                levels.extend(level)
                pitches.extend(pitch)
            centre = (first + frame / 2) / SAMPLE_RATE
            out.append(VoiceFrames(seg.speaker, round(centre, 4), hop / SAMPLE_RATE, levels, pitches))
            if index % 50 == 0:
                hook("prosody", index + 1, total)
        hook("prosody", total, total)
        return tuple(out)

    @staticmethod
    def _segment_frames(piece: np.ndarray, config: VoiceConfig) -> tuple[list[float], list[float]]:
        """Level (dBFS) and pitch (Hz, 0 unvoiced) of every frame of one contiguous piece."""
        import librosa

        hop = int(round(config.hop_s * SAMPLE_RATE))
        frame = int(round(config.frame_s * SAMPLE_RATE))
        count = 1 + (len(piece) - max(frame, PITCH_FRAME)) // hop  # frames that fit both analyses
        rms = librosa.feature.rms(y=piece, frame_length=frame, hop_length=hop, center=False)[0, :count]
        level = 20.0 * np.log10(np.maximum(rms.astype(np.float64), 10 ** (LEVEL_FLOOR_DB / 20)))
        zcr = librosa.feature.zero_crossing_rate(piece, frame_length=frame, hop_length=hop, center=False)[0, :count]
        # yin frames start at the same samples; PITCH_FRAME is longer, so its centre is 7 ms later
        f0 = librosa.yin(piece, fmin=config.pitch_fmin_hz, fmax=config.pitch_fmax_hz, sr=SAMPLE_RATE,
                         frame_length=PITCH_FRAME, hop_length=hop, center=False)[:count]
        loud = level >= level.max() - VOICED_RANGE_DB
        inside = (f0 > config.pitch_fmin_hz * 1.02) & (f0 < config.pitch_fmax_hz * 0.98)
        voiced = loud & (zcr < MAX_VOICED_ZCR) & inside & np.isfinite(f0)
        pitch = np.where(voiced, f0, 0.0)
        return level.tolist(), pitch.tolist()


def _check(config: VoiceConfig) -> None:
    """Settings the feature stage cannot work with: a one-line ConfigError naming the fix."""
    from analyzer.core.errors import ConfigError

    if not 0.005 <= config.hop_s <= config.frame_s <= 0.5:
        raise ConfigError(f"[voice] hop_s = {config.hop_s}, frame_s = {config.frame_s}: need "
                          "0.005 <= hop_s <= frame_s <= 0.5 seconds (defaults 0.02 and 0.05)")
    if not 20.0 <= config.pitch_fmin_hz < config.pitch_fmax_hz <= 2000.0:
        raise ConfigError(f"[voice] pitch_fmin_hz = {config.pitch_fmin_hz}, pitch_fmax_hz = {config.pitch_fmax_hz}: "
                          "need 20 <= fmin < fmax <= 2000 Hz (defaults 65 and 400)")


def frames_memory_bytes(frames: Sequence[VoiceFrames]) -> int:
    """Bytes held by the frame columns (for the bounded-memory check)."""
    return sum(f.level_db.itemsize * len(f.level_db) + f.pitch_hz.itemsize * len(f.pitch_hz) for f in frames)
