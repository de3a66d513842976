"""Decode any common container to 16 kHz mono float32 with PyAV, validate, and hash.

PyAV ships its own FFmpeg, so no system FFmpeg or torchcodec is needed. Every bad
input raises :class:`AudioError` with one line naming the file, the problem and the
fix; nothing else escapes :func:`load_audio` or :func:`probe_audio`. FFmpeg may only
read local files (``protocol_whitelist=file``), so a playlist inside a recording can
never reach the network. Very long inputs are checked against the memory limit
(:func:`check_memory`) before any decoding starts.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.core.errors import AudioError
from analyzer.core.schema import Recording

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
MIN_DURATION_S = 0.5
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga",
                    ".webm", ".mp4", ".mkv", ".mov", ".wma", ".aif", ".aiff")
FFMPEG_OPTIONS = {"protocol_whitelist": "file"}  # local files only, never the network
MAX_BAD_PACKET_FRACTION = 0.1  # above this share of undecodable packets the file is corrupt

# Memory model (docs/robustness.md, "Long recordings"). Decoding holds the 16 kHz float32
# samples once (64 kB per second) plus a small margin. A whole analysis adds the loaded models
# and the working set that does not grow with the recording (transcription in pieces of at most
# 300 s, clustering capped at 6000 embeddings, freed memory handed back) and, per second, what
# does grow: pyannote's per-chunk arrays and the words and segments. Fitted on whole analyses of
# speech throughout measured with the defaults (docs/benchmarks.md): 10.6 min 2061 MiB, 62.5 min
# 2717 MiB, 124 min 2533 MiB, 249 min 3185 MiB; the estimate stays 0.4 to 2.2 GiB above them.
MEMORY_LIMIT_ENV = "FLOORSHARE_MAX_MEMORY_GB"
DECODE_BYTES_PER_S = SAMPLE_RATE * 4
DECODE_OVERHEAD_BYTES = 64 << 20
ANALYSIS_BASE_BYTES = 2_400_000_000
ANALYSIS_BYTES_PER_S = 150_000


@dataclass(frozen=True, slots=True)
class LoadedAudio:
    """A decoded recording: 16 kHz mono float32 samples in [-1, 1].

    ``warnings`` holds one-line notes about usable but damaged input (a truncated
    file, skipped corrupt packets) for the caller to show.
    """

    recording: Recording
    samples: np.ndarray
    warnings: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (the content identity of a recording).

    Callers hash a file to look it up in the store before decoding it, and decoding
    hashes it again: the digest is remembered per (file, size, modification time), so a
    large recording is read for hashing once.
    """
    info = Path(path).stat()
    return _sha256_of(str(Path(path).resolve()), info.st_size, info.st_mtime_ns, info.st_ino)


@functools.lru_cache(maxsize=256)
def _sha256_of(path: str, size: int, mtime_ns: int, inode: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_readable(path: Path) -> None:
    """Raise :class:`AudioError` unless ``path`` is an existing, non-empty, readable file."""
    try:
        if not path.exists():
            raise AudioError(f"{path}: file not found; check the path and spelling")
        if path.is_dir():
            raise AudioError(f"{path}: is a directory, not a recording; use `floorshare batch` for folders")
        if not path.is_file():
            raise AudioError(f"{path}: is not a regular file (a device, pipe or socket); "
                             "give a recording saved on disk")
        if path.stat().st_size == 0:
            raise AudioError(f"{path}: file is empty (0 bytes); re-export or re-copy the recording")
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions") from None
    except ValueError:  # an embedded NUL byte
        raise AudioError(f"{path!r}: not a valid file name; rename the file") from None


def probe_audio(path: str | Path) -> tuple[float, int, int]:
    """Return (duration s, native sample rate, channels) from the headers, without decoding.

    The content decides, never the extension: a text file named ``.wav`` is rejected.

    Raises:
        AudioError: missing, unreadable, not audio, or without an audio stream.
    """
    path = Path(path)
    check_readable(path)
    with _open_container(path) as container:
        try:
            stream = _first_audio_stream(container, path)
            return _stream_duration(container, stream), _native_rate(stream), _channels(stream)
        except AudioError:
            raise
        except Exception as exc:  # PyAV raises many FFmpeg error types
            raise _decode_error(path, exc) from None


def load_audio(path: str | Path, *, min_duration_s: float = MIN_DURATION_S,
               memory_check: str | None = "analysis", sha256: str | None = None) -> LoadedAudio:
    """Decode ``path`` to 16 kHz mono float32, averaging the channels.

    Args:
        path: any container FFmpeg reads (wav, mp3, m4a, ogg, flac, webm, mp4...).
        min_duration_s: shorter audio is rejected.
        memory_check: ``"analysis"`` (default) checks that a whole analysis of this
            duration fits the memory limit, ``"decode"`` only the decoding, ``None`` skips.
        sha256: the file's content hash when the caller computed it already (a batch worker gets
            it with its task), so a large recording is not read again to hash it.

    Raises:
        AudioError: missing file, directory, empty, unreadable or corrupt data, no audio
            stream, shorter than ``min_duration_s``, or too long for the memory limit.
    """
    path = Path(path)
    check_readable(path)
    with _open_container(path) as container:
        try:
            stream = _first_audio_stream(container, path)
            header_s = _stream_duration(container, stream)
            max_s = None
            if memory_check:
                max_s = check_memory(path, header_s, analysis=memory_check == "analysis")
            native_rate, channels = _native_rate(stream), _channels(stream)
            samples, bad, total = _decode_stream(container, stream, header_s, max_s, path)
        except AudioError:
            raise
        except MemoryError:
            raise _memory_error(path, header_s, *memory_limit()) from None
        except Exception as exc:
            raise _decode_error(path, exc) from None
    warnings = _damage_warnings(path, len(samples) / SAMPLE_RATE, header_s, bad, total)
    duration = len(samples) / SAMPLE_RATE
    if duration < min_duration_s:
        raise AudioError(f"{path}: audio is {duration:.2f} s long, shorter than {min_duration_s} s; "
                         "record at least a few seconds of speech")
    for note in warnings:
        log.warning("%s", note)
    recording = Recording(path=str(path), sha256=sha256 or file_sha256(path), duration=round(duration, 3),
                          sample_rate=native_rate, channels=channels)
    return LoadedAudio(recording=recording, samples=samples, warnings=warnings)


# --- memory bound -------------------------------------------------------------------

def estimate_memory_bytes(duration_s: float, *, analysis: bool = True) -> int:
    """Peak memory needed to decode (``analysis=False``) or fully analyse ``duration_s`` of audio."""
    decode = DECODE_OVERHEAD_BYTES + int(duration_s * DECODE_BYTES_PER_S)
    if not analysis:
        return decode
    return decode + ANALYSIS_BASE_BYTES + int(duration_s * ANALYSIS_BYTES_PER_S)


def memory_limit() -> tuple[int, str]:
    """The memory Floorshare may use, in bytes, and where that limit comes from.

    ``FLOORSHARE_MAX_MEMORY_GB`` wins when set; otherwise the memory available now
    (psutil), lowered to a container's cgroup limit when there is one.

    Raises:
        AudioError: the environment variable is not a positive number.
    """
    raw = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if raw:
        try:
            gigabytes = float(raw)
        except ValueError:
            gigabytes = -1.0
        if not gigabytes > 0 or gigabytes == float("inf"):
            raise AudioError(f"{MEMORY_LIMIT_ENV}={raw!r}: not a positive number of gigabytes; "
                             f"set it like {MEMORY_LIMIT_ENV}=8 or unset it")
        return int(gigabytes * (1 << 30)), f"{MEMORY_LIMIT_ENV}={raw}"
    import psutil

    available = int(psutil.virtual_memory().available)
    cgroup = _cgroup_headroom()
    if cgroup is not None and cgroup < available:
        return cgroup, "the container's memory limit"
    return available, "the memory available now"


def check_memory(path: Path, duration_s: float, *, analysis: bool = True) -> float:
    """Fail early, before decoding, when ``duration_s`` of audio needs more than the limit.

    Returns:
        The longest duration (s) that fits the limit; decoding stops there, so a header
        that understates the length cannot exhaust memory either.

    Raises:
        AudioError: naming the file, the estimated need, the limit and how to proceed.
    """
    need = estimate_memory_bytes(duration_s, analysis=analysis)
    limit, source = memory_limit()
    if need > limit:
        raise _memory_error(path, duration_s, limit, source, need)
    per_s = DECODE_BYTES_PER_S + (ANALYSIS_BYTES_PER_S if analysis else 0)
    fixed = estimate_memory_bytes(0.0, analysis=analysis)
    return (limit - fixed) / per_s


def _memory_error(path: Path, duration_s: float, limit: int, source: str, need: int | None = None) -> AudioError:
    need = need if need is not None else estimate_memory_bytes(duration_s)
    return AudioError(
        f"{path}: {duration_s / 3600:.1f} h of audio needs about {need / (1 << 30):.1f} GB of memory but "
        f"{source} allows {limit / (1 << 30):.1f} GB; split the recording into shorter parts "
        f"(e.g. ffmpeg -i IN -f segment -segment_time 3600 part%02d.wav), close other programs, "
        f"or raise {MEMORY_LIMIT_ENV}")


def _cgroup_headroom() -> int | None:
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return None
    if not limit.isdigit() or not used.isdigit():
        return None  # "max": no limit
    return max(0, int(limit) - int(used))


# --- decoding -----------------------------------------------------------------------

class _SampleBuffer:
    """A growable float32 buffer, preallocated from the header duration (one copy at most)."""

    def __init__(self, expected: int) -> None:
        self.data = np.empty(max(expected, SAMPLE_RATE), dtype=np.float32)
        self.size = 0

    def append_mean(self, planes: np.ndarray) -> None:
        """Append the channel mean of ``planes`` (shape: channels, samples)."""
        count = planes.shape[-1]
        if self.size + count > len(self.data):
            grown = np.empty(max(self.size + count, int(len(self.data) * 1.5)), dtype=np.float32)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        target = self.data[self.size:self.size + count]
        if planes.shape[0] == 1:
            target[:] = planes[0]
        else:
            np.mean(planes, axis=0, dtype=np.float32, out=target)
        self.size += count

    def finish(self) -> np.ndarray:
        samples = self.data[:self.size]
        if self.size < 0.9 * len(self.data):
            samples = samples.copy()  # do not keep a much larger buffer alive
        for start in range(0, self.size, 1 << 20):  # in blocks: no full-size temporaries
            block = samples[start:start + (1 << 20)]
            np.nan_to_num(block, copy=False, nan=0.0, posinf=1.0, neginf=-1.0)
            np.clip(block, -1.0, 1.0, out=block)
        return samples


def _decode_stream(container, stream, header_s: float, max_s: float | None,
                   path: Path) -> tuple[np.ndarray, int, int]:
    """Decode, resample to 16 kHz and average channels; skip undecodable packets.

    Returns (samples, bad packets, packets). Raises AudioError when too many are bad or
    the decoded audio outgrows ``max_s`` (a header that lied about the duration).
    """
    import av

    trusted_s = header_s if max_s is not None else min(header_s, 3600.0)  # checked, or capped
    buffer = _SampleBuffer(int(trusted_s * SAMPLE_RATE * 1.01) + SAMPLE_RATE)
    resampler, layout = None, None
    bad = total = 0
    for packet in container.demux(stream):
        if max_s is not None and buffer.size > max_s * SAMPLE_RATE:
            raise _memory_error(path, buffer.size / SAMPLE_RATE, *memory_limit())
        total += packet.size > 0
        try:
            frames = packet.decode()
        except (av.error.InvalidDataError, av.error.EOFError, av.error.UndefinedError, ValueError):
            bad += 1
            continue
        for frame in frames:
            if frame.samples == 0:
                continue
            frame.pts = None  # let the resampler re-time frames; avoids gaps on odd timestamps
            if resampler is None or frame.layout.name != layout:
                _drain(resampler, buffer)
                layout = frame.layout.name
                resampler = av.AudioResampler(format="fltp", layout=frame.layout, rate=SAMPLE_RATE)
            for out in resampler.resample(frame):
                buffer.append_mean(out.to_ndarray())  # shape: (channels, samples)
    _drain(resampler, buffer)
    return buffer.finish(), bad, total


def _drain(resampler, buffer: _SampleBuffer) -> None:
    if resampler is not None:
        for out in resampler.resample(None):
            buffer.append_mean(out.to_ndarray())


def _damage_warnings(path: Path, decoded_s: float, header_s: float, bad: int, total: int) -> tuple[str, ...]:
    if total and bad / total > MAX_BAD_PACKET_FRACTION or (bad and decoded_s == 0):
        raise AudioError(f"{path}: corrupt audio ({bad} of {total} packets cannot be decoded); "
                         "re-export or re-copy the recording from its source")
    notes = []
    if bad:
        notes.append(f"{path}: skipped {bad} corrupt packet(s) of {total}; the analysis has small gaps")
    declared = _wav_declared_seconds(path) or header_s
    if declared > decoded_s + max(1.0, 0.05 * declared):
        notes.append(f"{path}: file looks truncated (its header promises {declared:.1f} s, "
                     f"{decoded_s:.1f} s are present); analysing the part that is there")
    return tuple(notes)


def _wav_declared_seconds(path: Path) -> float | None:
    """For a RIFF/WAVE file, the duration its data chunk declares (None when unknown)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        chunk, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if chunk == b"fmt " and pos + 20 <= len(head):
            byte_rate = int.from_bytes(head[pos + 16:pos + 20], "little")
        if chunk == b"data":
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return None  # streamed wav: size unknown
            return size / byte_rate
        pos += 8 + size + (size & 1)
    return None


def _open_container(path: Path):
    import av

    try:
        handle = path.open("rb")
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions") from None
    try:
        return _ClosingContainer(av.open(handle, options=FFMPEG_OPTIONS), handle)
    except Exception as exc:
        handle.close()
        raise _decode_error(path, exc) from None


class _ClosingContainer:
    """Closes the PyAV container and the file handle it reads from."""

    def __init__(self, container, handle) -> None:
        self.container, self.handle = container, handle

    def __enter__(self):
        return self.container

    def __exit__(self, *exc_info) -> None:
        try:
            self.container.close()
        finally:
            self.handle.close()


def _first_audio_stream(container, path: Path):
    streams = container.streams.audio
    if not streams:
        kind = "a video without sound" if container.streams.video else "no audio stream"
        raise AudioError(f"{path}: contains {kind}; give a recording or a video with sound")
    return streams[0]


def _native_rate(stream) -> int:
    return int(stream.codec_context.sample_rate or stream.rate or 0)


def _channels(stream) -> int:
    layout = getattr(stream.codec_context, "layout", None)
    return len(layout.channels) if layout is not None else int(getattr(stream, "channels", 1) or 1)


def _stream_duration(container, stream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return max(0.0, float(stream.duration * stream.time_base))
    if container.duration is not None:
        return max(0.0, container.duration / 1_000_000)
    return 0.0


def describe_content(head: bytes) -> str | None:
    """What the first bytes of a non-audio file look like (text, PDF, image...), if recognisable."""
    signatures = ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                  (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a zip archive (or office document)"),
                  (b"<!DOCTYPE", "an HTML page"), (b"<html", "an HTML page"), (b"{", "a JSON or text file"))
    for magic, kind in signatures:
        if head.lstrip()[:len(magic)].lower() == magic.lower():
            return kind
    if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head[:512]):
        return "a text file"
    return None


def _decode_error(path: Path, exc: Exception) -> AudioError:
    try:
        with path.open("rb") as handle:
            looks_like = describe_content(handle.read(512))
    except OSError:
        looks_like = None
    if looks_like:
        problem = f"is {looks_like}, not audio"
    else:
        detail = str(exc).split("\n")[0]
        detail = detail.split("] ", 1)[-1].split(":")[0][:120] or type(exc).__name__
        problem = f"not a readable audio or video file ({detail})"
    return AudioError(f"{path}: {problem}; check that it is a complete recording "
                      "(wav, mp3, m4a, ogg, flac, webm, mp4)")
