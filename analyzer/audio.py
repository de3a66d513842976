"""Decode any common container to 16 kHz mono float32 with PyAV, validate, and hash.

PyAV ships its own FFmpeg, so no system FFmpeg or torchcodec is needed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.errors import AudioError
from analyzer.schema import Recording

SAMPLE_RATE = 16_000
MIN_DURATION_S = 0.5
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga",
                    ".webm", ".mp4", ".mkv", ".mov", ".wma", ".aif", ".aiff")


@dataclass(frozen=True, slots=True)
class LoadedAudio:
    """A decoded recording: 16 kHz mono float32 samples in [-1, 1]."""

    recording: Recording
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """The sha256 of a file's bytes (the content identity of a recording)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_readable(path: Path) -> None:
    """Raise :class:`AudioError` unless ``path`` is an existing, non-empty, readable file."""
    if not path.exists():
        raise AudioError(f"{path}: file not found; check the path and spelling")
    if path.is_dir():
        raise AudioError(f"{path}: is a directory, not a recording; use `floorshare batch` for folders")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes); re-export or re-copy the recording")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None


def probe_audio(path: str | Path) -> tuple[float, int, int]:
    """Return (duration s, native sample rate, channels) without decoding; raise AudioError."""
    import av

    path = Path(path)
    check_readable(path)
    try:
        with av.open(str(path)) as container:
            stream = _first_audio_stream(container, path)
            duration = _stream_duration(container, stream)
            return duration, int(stream.codec_context.sample_rate or 0), _channels(stream)
    except AudioError:
        raise
    except Exception as exc:  # PyAV raises many FFmpeg error types
        raise _decode_error(path, exc) from None


def load_audio(path: str | Path, *, min_duration_s: float = MIN_DURATION_S) -> LoadedAudio:
    """Decode ``path`` to 16 kHz mono float32, downmixing channels.

    Raises:
        AudioError: missing file, directory, empty, unreadable or corrupt data,
            no audio stream, or shorter than ``min_duration_s``.
    """
    import av

    path = Path(path)
    check_readable(path)
    try:
        with av.open(str(path)) as container:
            stream = _first_audio_stream(container, path)
            native_rate = int(stream.codec_context.sample_rate or 0)
            channels = _channels(stream)
            samples = _decode_stream(container, stream)
    except AudioError:
        raise
    except Exception as exc:
        raise _decode_error(path, exc) from None
    duration = len(samples) / SAMPLE_RATE
    if duration < min_duration_s:
        raise AudioError(f"{path}: audio is {duration:.2f} s long, shorter than {min_duration_s} s; "
                         "record at least a few seconds of speech")
    recording = Recording(path=str(path), sha256=file_sha256(path), duration=round(duration, 3),
                          sample_rate=native_rate, channels=channels)
    return LoadedAudio(recording=recording, samples=samples)


def _first_audio_stream(container, path: Path):
    streams = container.streams.audio
    if not streams:
        raise AudioError(f"{path}: contains no audio stream; give a recording or a video with sound")
    return streams[0]


def _channels(stream) -> int:
    layout = getattr(stream.codec_context, "layout", None)
    return len(layout.channels) if layout is not None else int(getattr(stream, "channels", 1) or 1)


def _stream_duration(container, stream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def _decode_stream(container, stream) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    for frame in container.decode(stream):
        frame.pts = None  # let the resampler re-time frames; avoids gaps on odd timestamps
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    samples = np.concatenate(chunks).astype(np.float32, copy=False)  # (time,)
    return np.clip(samples, -1.0, 1.0)


def _decode_error(path: Path, exc: Exception) -> AudioError:
    detail = str(exc).split("\n")[0][:160] or type(exc).__name__
    return AudioError(f"{path}: not a readable audio or video file ({detail}); "
                      "check that it is a complete recording (wav, mp3, m4a, ogg, flac, webm, mp4)")
