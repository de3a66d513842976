"""The dashboard-upload side of the bad-input matrix (dashboard/uploads.py + dashboard/jobs.py).

Every bad upload is refused with one line naming the (sanitised) file, the problem and
the fix, either when it is staged (content sniffed, not the extension) or when its job
runs; the temporary folder is removed in every case; good uploads are stored without
keeping the audio. Models are fakes here (the real ones are exercised elsewhere).
"""

from __future__ import annotations

import errno
import io
import tempfile
from pathlib import Path

import pytest

from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AnalyzerError, AudioError
from tests.hardening.conftest import (
    corrupt_copy, encode_audio, tone, truncated_copy, video_without_audio, write_wav,
)

uploads = pytest.importorskip("dashboard.uploads")


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point tempfile at a fresh folder, so leftovers can be counted exactly."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def leftovers(root: Path) -> list[Path]:
    return list(root.iterdir())


def stage(path: Path, name: str | None = None, size: int | None = None, limit_mb: int = 500):
    data = path.read_bytes() if path.is_file() else b""
    return uploads.stage_upload(io.BytesIO(data), name or path.name, len(data) if size is None else size,
                                limit_mb=limit_mb)


def bad_uploads(d: Path) -> dict[str, tuple[Path, str]]:
    (d / "empty.wav").write_bytes(b"")
    (d / "notes.wav").write_text("minutes of the meeting\n" * 20)
    return {
        "zero-byte": (d / "empty.wav", "empty (0 bytes)"),
        "text-as-wav": (d / "notes.wav", "is a text file, not audio"),
        "truncated-header": (truncated_copy(write_wav(d / "f.wav", tone(2)), d / "cut.wav", 30),
                             "not a readable audio or video file"),
        "video-without-audio": (video_without_audio(d / "screen.mp4"), "a video without sound"),
    }


@pytest.mark.parametrize("case", ["zero-byte", "text-as-wav", "truncated-header", "video-without-audio"])
def test_bad_upload_refused_at_staging_and_cleaned(tmp_path: Path, temp_root: Path, case: str) -> None:
    path, fragment = bad_uploads(tmp_path)[case]
    with pytest.raises(AudioError) as caught:
        stage(path)
    message = str(caught.value)
    assert fragment in message and "\n" not in message
    assert str(temp_root) not in message  # the private temporary path is not shown
    assert leftovers(temp_root) == []


def test_size_limit_uses_the_bytes_not_only_the_declared_size(tmp_path: Path, temp_root: Path) -> None:
    path = write_wav(tmp_path / "big.wav", tone(40))  # ~1.3 MB
    with pytest.raises(AudioError, match="upload limit"):
        stage(path, limit_mb=1)
    with pytest.raises(AudioError, match="upload limit"):
        stage(path, size=1000, limit_mb=1)  # a client that under-reports the size
    assert leftovers(temp_root) == []


@pytest.mark.parametrize("hostile, expected", [("../../etc/passwd.wav", "passwd.wav"),
                                               ("C:\\Users\\x\\réunion du lundi.wav", "reunion_du_lundi.wav"),
                                               ("; rm -rf ~.wav", "rm_-rf.wav"), ("\x00\x1fa.wav", "a.wav")])
def test_names_are_sanitised(tmp_path: Path, temp_root: Path, hostile: str, expected: str) -> None:
    staged = stage(write_wav(tmp_path / "in.wav", tone(1)), name=hostile)
    try:
        assert staged.name == expected
        assert staged.path.parent == staged.folder and staged.folder.parent == temp_root
        assert staged.path.is_file()
    finally:
        staged.remove()
    assert leftovers(temp_root) == []


def test_content_decides_not_the_extension(tmp_path: Path, temp_root: Path) -> None:
    mp3 = encode_audio(tmp_path / "real.mp3", tone(2, 44100), 44100, "mono", "libmp3lame")
    staged = stage(mp3, name="actually-mp3.wav")
    assert staged.duration == pytest.approx(2.0, abs=0.1)
    staged.remove()


def test_staging_folder_is_private(tmp_path: Path, temp_root: Path) -> None:
    staged = stage(write_wav(tmp_path / "in.wav", tone(1)))
    assert (staged.folder.stat().st_mode & 0o077) == 0
    staged.remove()


def test_disk_full_while_staging_is_typed_and_cleaned(tmp_path: Path, temp_root: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(uploads.shutil, "copyfileobj", disk_full)
    with pytest.raises(AnalyzerError, match="No space left"):
        stage(write_wav(tmp_path / "in.wav", tone(1)))
    assert leftovers(temp_root) == []


@pytest.fixture
def run_job(tmp_path: Path, fake_models):
    """Stage + run one upload through the dashboard's job queue with fake models and a real store."""
    jobs = pytest.importorskip("dashboard.jobs")
    import analyzer.pipeline.analysis as pipeline
    from analyzer.storage import SessionStore

    store = SessionStore(str(tmp_path / "s.db"))
    queue = jobs.JobQueue(analyzer_factory=lambda: pipeline.build_analyzer(AnalysisConfig()))

    def run(path: Path):
        staged = stage(path)
        job = queue.submit(staged, store=store, group="team", title=staged.name, config=AnalysisConfig())
        assert queue.wait(job, timeout=120)
        return job, staged
    yield run
    store.close()


@pytest.mark.parametrize("case, fragment", [("corrupt-mp3", "corrupt audio"), ("0.3-seconds", "shorter than 0.5 s")])
def test_bad_upload_fails_its_job_with_one_line(tmp_path: Path, temp_root: Path, run_job, case, fragment) -> None:
    good = encode_audio(tmp_path / "good.mp3", tone(3, 44100), 44100, "stereo", "libmp3lame")
    if case == "corrupt-mp3":
        path = corrupt_copy(good, tmp_path / "bad.mp3")
    else:
        path = write_wav(tmp_path / "b.wav", tone(0.3))
    job, staged = run_job(path)
    assert job.status == "failed" and fragment in job.error and "\n" not in job.error
    assert staged.name in job.error and str(temp_root) not in job.error
    assert leftovers(temp_root) == []


def test_good_upload_is_stored_without_its_audio(tmp_path: Path, temp_root: Path, run_job) -> None:
    job, staged = run_job(write_wav(tmp_path / "réunion lundi.wav", tone(3)))
    assert job.status == "done" and job.session_id is not None
    assert leftovers(temp_root) == []
    assert not [p for p in tmp_path.rglob("*.wav") if "audio" in str(p.parent)]
    stored = job.store.load(job.session_id)
    assert stored.recording.path == staged.name  # no temporary path in the database
