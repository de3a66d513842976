"""The background analysis queue and upload staging (no Streamlit page involved)."""

from __future__ import annotations

import io
import threading

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AudioError
from dashboard import jobs, uploads
from tests.conftest import write_tone_wav
from tests.dashboard.conftest import fake_analyzer


class GatedAnalyzer:
    """Wraps a fake analyzer: each analysis waits for the gate and the test sees how many overlap."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.inner = fake_analyzer()
        self.gate = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self.fail_with = fail_with
        self.lock = threading.Lock()

    def analyze_file(self, path, *, hook, config, **_):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            hook("decode", 1, 1)
            self.gate.wait(30)
            if self.fail_with is not None:
                raise self.fail_with
            return self.inner.analyze_file(path, hook=hook, config=config)
        finally:
            with self.lock:
                self.running -= 1


def stage(tmp_path, name: str, freq: float):
    wav = write_tone_wav(tmp_path / f"{freq}.wav", 3.0, freq=freq)
    return uploads.stage_upload(io.BytesIO(wav.read_bytes()), name, wav.stat().st_size)


def test_one_analysis_at_a_time_the_others_queued(tmp_path):
    from analyzer.storage import SessionStore

    store = SessionStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    analyzer = GatedAnalyzer()
    queue = jobs.JobQueue(analyzer_factory=lambda: analyzer)
    first = queue.submit(stage(tmp_path, "a.wav", 200.0), store=store, group="g", title="a",
                         config=AnalysisConfig())
    second = queue.submit(stage(tmp_path, "b.wav", 300.0), store=store, group="g", title="b",
                          config=AnalysisConfig())
    for _ in range(200):
        if first.status == jobs.RUNNING:
            break
        threading.Event().wait(0.02)
    assert first.status == jobs.RUNNING and first.hook.stages["decode"] == (1, 1)
    assert second.status == jobs.QUEUED and queue.position(second) == 1
    analyzer.gate.set()
    assert queue.wait(second, 30) and queue.wait(first, 30)
    assert (first.status, second.status) == (jobs.DONE, jobs.DONE)
    assert analyzer.most_at_once == 1
    assert {s.title for s in store.list_sessions()} == {"a", "b"}
    assert not first.upload.folder.exists() and not second.upload.folder.exists()
    store.close()


def test_same_recording_and_settings_open_the_stored_session(tmp_path):
    from analyzer.storage import SessionStore

    store = SessionStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    queue = jobs.JobQueue(analyzer_factory=fake_analyzer)
    first = queue.submit(stage(tmp_path, "a.wav", 200.0), store=store, group="g", title="a",
                         config=AnalysisConfig())
    assert queue.wait(first, 30) and first.status == jobs.DONE
    again = queue.submit(stage(tmp_path, "a.wav", 200.0), store=store, group="g", title="a",
                         config=AnalysisConfig())
    assert queue.wait(again, 30) and again.already_stored and again.session_id == first.session_id
    assert len(store.list_sessions()) == 1
    store.close()


@pytest.mark.parametrize("error, expected", [
    (AudioError("PATH: audio is 0.20 s long, shorter than 0.5 s; record more"), "loud.wav: audio is 0.20 s"),
    (RuntimeError("boom"), "loud.wav: the analysis stopped on an unexpected error (RuntimeError: boom)"),
])
def test_a_failed_analysis_is_reported_cleaned_up_and_the_worker_goes_on(tmp_path, error, expected):
    from analyzer.storage import SessionStore

    store = SessionStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    analyzer = GatedAnalyzer()
    queue = jobs.JobQueue(analyzer_factory=lambda: analyzer)
    staged = stage(tmp_path, "loud.wav", 200.0)
    analyzer.fail_with = type(error)(str(error).replace("PATH", str(staged.path)))
    analyzer.gate.set()
    failed = queue.submit(staged, store=store, group="g", title="x", config=AnalysisConfig())
    assert queue.wait(failed, 30) and failed.status == jobs.FAILED
    assert failed.error.startswith(expected) and str(tmp_path) not in failed.error
    assert not staged.folder.exists()
    analyzer.fail_with = None
    after = queue.submit(stage(tmp_path, "next.wav", 250.0), store=store, group="g", title="y",
                         config=AnalysisConfig())
    assert queue.wait(after, 30) and after.status == jobs.DONE
    store.close()


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ana\\Réunion du lundi (1).WAV", "Reunion_du_lundi_1.WAV"),
    ("rm -rf $(x);.wav", "rm_-rf_x.wav"),
    ("...", "recording"),
    ("x" * 300 + ".flac", "x" * 95 + ".flac"),  # at most 100 characters
])
def test_uploaded_names_are_sanitised(raw, safe):
    assert uploads.sanitise_filename(raw) == safe


def test_over_the_limit_and_non_audio_uploads_are_refused_and_leave_nothing(tmp_path):
    import tempfile
    from pathlib import Path

    def folders() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob(f"{uploads.TEMP_PREFIX}*"))

    before = folders()
    with pytest.raises(AudioError, match=r"^big\.wav: 2 MB, over the 1 MB upload limit; compress it"):
        uploads.stage_upload(io.BytesIO(b"0"), "big.wav", 2 * 1024 * 1024, limit_mb=1)
    with pytest.raises(AudioError, match=r"^big\.wav: more than 1 MB, over the 1 MB upload limit"):
        uploads.stage_upload(io.BytesIO(b"0" * (1024 * 1024 + 1)), "big.wav", 10, limit_mb=1)  # under-reported
    with pytest.raises(AudioError, match=r"^notes\.ogg: "):
        uploads.stage_upload(io.BytesIO(b"hello " * 100), "notes.ogg", 600)
    assert folders() == before


def test_a_video_with_sound_is_accepted_whatever_its_name(tmp_path):
    import av
    import numpy as np

    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=16000)
        stream.layout = "mono"
        for i in range(40):
            samples = (0.2 * np.sin(np.arange(1024) * 0.05 + i)).astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    staged = uploads.stage_upload(io.BytesIO(path.read_bytes()), "recording.bin", path.stat().st_size)
    try:
        assert staged.name == "recording.bin" and staged.duration > 2.0
    finally:
        staged.remove()
    assert not staged.folder.exists()
