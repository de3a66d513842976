"""Builders of bad and unusual inputs for the hardening tests (generated, never committed)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from tests.conftest import SAMPLES

SPEECH_SAMPLE = SAMPLES / "pyannote-sample" / "sample.wav"


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Write float samples in [-1, 1], shape (time,) or (time, channels), as 16-bit PCM."""
    data = samples if samples.ndim == 2 else samples[:, None]
    pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(data.shape[1])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def tone(seconds: float, rate: int = 16_000, freq: float = 220.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def noise(seconds: float, rate: int = 16_000, amplitude: float = 0.3, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(-amplitude, amplitude, int(seconds * rate))).astype(np.float32)


def speech(seconds: float, rate: int = 16_000, start_s: float = 0.0) -> np.ndarray:
    """``seconds`` of the bundled two-speaker sample (mono), resampled to ``rate`` with PyAV."""
    import av

    out: list[np.ndarray] = []
    with av.open(str(SPEECH_SAMPLE)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(audio=0):
            frame.pts = None
            out.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
        out.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    samples = np.concatenate(out)
    return samples[int(start_s * rate):int((start_s + seconds) * rate)]


def encode_audio(path: Path, samples: np.ndarray, rate: int, layout: str, codec: str) -> Path:
    """Encode ``samples`` (time,) copied onto every channel of ``layout`` with PyAV."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        channels = av.AudioLayout(layout).nb_channels
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate)
        planes = np.tile(samples.astype(np.float32), (channels, 1))  # (channels, time)
        for start in range(0, planes.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planes[:, start:start + 1024]),
                                               format="fltp", layout=layout)
            frame.sample_rate = rate
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def video_without_audio(path: Path, frames: int = 20) -> Path:
    """A short MPEG-4 video with no audio stream."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(frames):
            image = np.full((64, 64, 3), i * 10 % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def corrupt_copy(source: Path, target: Path, start: int = 200, every: int = 7) -> Path:
    """Flip bits in every ``every``-th byte after ``start`` (headers survive, payload does not)."""
    data = bytearray(source.read_bytes())
    for i in range(start, len(data), every):
        data[i] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def truncated_copy(source: Path, target: Path, keep: float | int) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[:keep if isinstance(keep, int) else int(len(data) * keep)])
    return target
