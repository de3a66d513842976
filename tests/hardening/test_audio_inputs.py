"""The decoder's side of the bad-input matrix: every case decodes correctly or raises AudioError."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from analyzer.adapters.audio import SAMPLE_RATE, describe_content, load_audio, probe_audio
from analyzer.core.errors import AudioError
from tests.hardening.conftest import (
    corrupt_copy, encode_audio, noise, tone, truncated_copy, video_without_audio, write_wav,
)


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def expect_audio_error(path: Path, *fragments: str) -> str:
    with pytest.raises(AudioError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


@pytest.mark.parametrize("make, fragments", [
    (lambda d: d / "missing.wav", ("file not found",)),
    (lambda d: d, ("is a directory", "floorshare batch")),
    (lambda d: written(d / "empty.wav", b""), ("empty (0 bytes)",)),
    (lambda d: written(d / "notes.wav", b"minutes of the meeting\n" * 20), ("is a text file, not audio",)),
    (lambda d: written(d / "page.mp3", b"<!DOCTYPE html><html></html>"), ("is an HTML page, not audio",)),
    (lambda d: video_without_audio(d / "screen.mp4"), ("a video without sound",)),
    (lambda d: truncated_copy(write_wav(d / "full.wav", tone(3)), d / "header_only.wav", 30),
     ("not a readable audio or video file",)),
    (lambda d: write_wav(d / "short.wav", tone(0.3)), ("0.30 s long", "shorter than 0.5 s")),
], ids=["nonexistent", "directory", "zero-byte", "text-as-wav", "html-as-mp3", "video-without-audio",
        "truncated-header", "0.3-seconds"])
def test_unusable_input_is_one_typed_line(tmp_path: Path, make, fragments) -> None:
    expect_audio_error(make(tmp_path), *fragments)


def test_unreadable_file_says_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_wav(tmp_path / "locked.wav", tone(2))
    if os.geteuid() == 0:  # root reads anything: simulate the EACCES an ordinary user gets
        real_open = Path.open

        def deny(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)
        monkeypatch.setattr(Path, "open", deny)
    else:
        path.chmod(0)
    expect_audio_error(path, "cannot be read", "permissions")


def test_odd_paths_are_typed_errors(tmp_path: Path) -> None:
    for path in (tmp_path / "nul\x00byte.wav", tmp_path / ("x" * 300 + ".wav")):
        with pytest.raises(AudioError):
            load_audio(path)


def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    expect_audio_error(fifo, "not a regular file")


def test_corrupt_mp3_is_rejected(tmp_path: Path) -> None:
    good = encode_audio(tmp_path / "good.mp3", tone(3, 44100), 44100, "stereo", "libmp3lame")
    assert load_audio(good).duration == pytest.approx(3.0, abs=0.1)
    expect_audio_error(corrupt_copy(good, tmp_path / "bad.mp3"), "corrupt audio", "packets cannot be decoded")


def test_random_bytes_named_mp3_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "random.mp3"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    expect_audio_error(path, "not a readable audio or video file")


def test_truncated_wav_decodes_what_is_there_and_warns(tmp_path: Path) -> None:
    path = truncated_copy(write_wav(tmp_path / "full.wav", tone(4)), tmp_path / "cut.wav", 0.5)
    audio = load_audio(path)
    assert audio.duration == pytest.approx(2.0, abs=0.01)
    assert len(audio.warnings) == 1 and "looks truncated" in audio.warnings[0]
    assert "4.0 s" in audio.warnings[0] and "2.0 s" in audio.warnings[0]


def test_truncated_mp3_warns(tmp_path: Path) -> None:
    good = encode_audio(tmp_path / "good.mp3", tone(6, 44100), 44100, "mono", "libmp3lame")
    audio = load_audio(truncated_copy(good, tmp_path / "cut.mp3", 0.4))
    assert 1.5 < audio.duration < 3.0
    assert any("looks truncated" in note for note in audio.warnings)


def test_complete_files_have_no_warnings(tmp_path: Path) -> None:
    assert load_audio(write_wav(tmp_path / "ok.wav", tone(2))).warnings == ()


@pytest.mark.parametrize("rate, layout, codec", [
    (8000, "mono", "pcm_s16le"),  # telephone
    (48000, "stereo", "pcm_s16le"),
    (48000, "5.1", "pcm_s16le"),  # 6 channels
    (44100, "stereo", "libmp3lame"),
    (48000, "stereo", "libopus"),
    (22050, "mono", "flac"),
])
def test_rates_and_channels_become_16k_mono_at_the_same_level(tmp_path: Path, rate, layout, codec) -> None:
    suffix = {"pcm_s16le": ".wav", "libmp3lame": ".mp3", "libopus": ".ogg", "flac": ".flac"}[codec]
    path = encode_audio(tmp_path / f"in{suffix}", tone(3, rate, freq=300), rate, layout, codec)
    audio = load_audio(path)
    import av
    assert audio.recording.sample_rate == rate
    assert audio.recording.channels == av.AudioLayout(layout).nb_channels
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.duration == pytest.approx(3.0, abs=0.1)
    middle = audio.samples[SAMPLE_RATE // 2: -SAMPLE_RATE // 2]
    # the channel mean keeps a 0.3 tone at 0.3 (a 5.1 downmix by FFmpeg's matrix clipped it at 1.0)
    assert np.abs(middle).max() == pytest.approx(0.3, abs=0.03)
    assert probe_audio(path)[1:] == (rate, audio.recording.channels)


def test_noise_and_silence_decode(tmp_path: Path) -> None:
    assert np.abs(load_audio(write_wav(tmp_path / "noise.wav", noise(2))).samples).max() <= 0.31
    assert not load_audio(write_wav(tmp_path / "silence.wav", np.zeros(32000))).samples.any()


@pytest.mark.parametrize("name", ["réunion du lundi.wav", "会议 录音 (1).wav", "  spaces  .wav",
                                  "semi;colon&$x.wav", "file:looks-like-a-url.wav", "-starts-with-dash.wav"])
def test_odd_file_names(tmp_path: Path, name: str) -> None:
    path = write_wav(tmp_path / name, tone(1))
    audio = load_audio(path)
    assert audio.recording.path == str(path) and audio.duration == pytest.approx(1.0)


def test_float_wav_with_nan_and_inf_is_cleaned(tmp_path: Path) -> None:
    import av

    samples = tone(1).copy()
    samples[100:110] = np.nan
    samples[200] = np.inf
    samples[300] = 5.0
    path = tmp_path / "float.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_f32le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
        frame.sample_rate = 16000
        for packet in (*stream.encode(frame), *stream.encode(None)):
            container.mux(packet)
    audio = load_audio(path)
    assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max() <= 1.0


def test_playlist_cannot_reach_the_network(tmp_path: Path) -> None:
    """An HLS playlist pointing at a server must not make FFmpeg connect (protocol whitelist)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(2.0)
    port = server.getsockname()[1]
    hits: list[int] = []

    def accept() -> None:
        try:
            server.accept()[0].close()
            hits.append(1)
        except OSError:
            pass
    thread = threading.Thread(target=accept)
    thread.start()
    playlist = tmp_path / "meeting.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:{port}/a.ts\n"
                        "#EXT-X-ENDLIST\n")
    with pytest.raises(AudioError):
        load_audio(playlist)
    thread.join()
    server.close()
    assert hits == []


@pytest.mark.parametrize("head, kind", [(b"%PDF-1.7", "a PDF document"), (b"\x89PNG\r\n", "a PNG image"),
                                        (b"hello\n", "a text file"), (b"RIFF\x00\x01", None)])
def test_describe_content(head: bytes, kind) -> None:
    assert describe_content(head) == kind
