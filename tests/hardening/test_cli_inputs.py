"""The bad-input matrix through ``floorshare analyze`` (models replaced by fakes: these are the error paths).

Every failing input gives exit code 1 and exactly one ``error:`` line naming the file,
the problem and the fix; the other inputs of the same command are still analysed.
Usage errors give exit code 2. The real-model cases are in test_cli_real_models.py.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli.app import build_app
from tests.hardening.conftest import (
    corrupt_copy, encode_audio, tone, truncated_copy, video_without_audio, write_wav,
)

APP = build_app()


def run(tmp_path: Path, *args: str, out: Path | None = None):
    argv = ["analyze", *args, "--out", str(out or tmp_path / "out"), "--db", str(tmp_path / "db.sqlite")]
    return CliRunner().invoke(APP, argv, catch_exceptions=False)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_one_line_error(result, path: Path, *fragments: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in error_lines(result) if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    line = errors[0]
    assert str(path) in line or path.name in line, line
    for fragment in fragments:
        assert fragment in line, line
    assert ";" in line  # problem; fix
    return line


def make_inputs(d: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    good_mp3 = encode_audio(d / "good.mp3", tone(3, 44100), 44100, "stereo", "libmp3lame")
    (d / "empty.wav").write_bytes(b"")
    (d / "notes.wav").write_text("minutes of the meeting\n" * 20)
    (d / "folder").mkdir()
    return {
        "nonexistent": (d / "no such file.wav", ("file not found", "check the path")),
        "directory": (d / "folder", ("is a directory", "floorshare batch")),
        "zero-byte": (d / "empty.wav", ("empty (0 bytes)", "re-export")),
        "truncated-header": (truncated_copy(write_wav(d / "f.wav", tone(2)), d / "cut.wav", 30),
                             ("not a readable audio or video file",)),
        "corrupt-mp3": (corrupt_copy(good_mp3, d / "corrupt.mp3"), ("corrupt audio", "re-export")),
        "text-as-wav": (d / "notes.wav", ("is a text file, not audio",)),
        "video-without-audio": (video_without_audio(d / "screen.mp4"), ("a video without sound",)),
        "0.3-seconds": (write_wav(d / "blip.wav", tone(0.3)), ("shorter than 0.5 s",)),
    }


CASES = ["nonexistent", "directory", "zero-byte", "truncated-header", "corrupt-mp3", "text-as-wav",
         "video-without-audio", "0.3-seconds"]


@pytest.mark.parametrize("case", CASES)
def test_each_bad_input_is_one_error_line_with_exit_1(tmp_path: Path, fake_models, case: str) -> None:
    path, fragments = make_inputs(tmp_path)[case]
    result = run(tmp_path, str(path))
    assert_one_line_error(result, path, *fragments)
    assert not list((tmp_path / "out").glob("*/result.json"))


def test_bad_inputs_do_not_stop_the_good_ones(tmp_path: Path, fake_models) -> None:
    inputs = make_inputs(tmp_path)
    first = write_wav(tmp_path / "first.wav", tone(2, freq=220))
    last = write_wav(tmp_path / "last.wav", tone(2, freq=330))
    result = run(tmp_path, str(first), *(str(p) for p, _ in inputs.values()), str(last))
    assert result.exit_code == 1
    assert len([line for line in error_lines(result) if line.startswith("error:")]) == len(inputs)
    assert (tmp_path / "out" / "first" / "result.json").is_file()
    assert (tmp_path / "out" / "last" / "result.json").is_file()


def test_truncated_wav_is_analysed(tmp_path: Path, fake_models) -> None:
    path = truncated_copy(write_wav(tmp_path / "full.wav", tone(4)), tmp_path / "cut.wav", 0.5)
    result = run(tmp_path, str(path))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "cut" / "result.json").read_text())
    assert data["recording"]["duration_s"] == pytest.approx(2.0, abs=0.01)


@pytest.mark.parametrize("name", ["réunion du lundi.wav", "会议 录音 (1).wav", "  two  spaces .wav",
                                  "it's $HOME & more.wav"])
def test_unicode_and_space_laden_names(tmp_path: Path, fake_models, name: str) -> None:
    path = write_wav(tmp_path / name, tone(2))
    result = run(tmp_path, str(path))
    assert result.exit_code == 0, result.output
    folders = list((tmp_path / "out").iterdir())
    assert len(folders) == 1 and (folders[0] / "result.json").is_file()
    data = json.loads((folders[0] / "result.json").read_text(encoding="utf-8"))
    assert data["recording"]["path"] == str(path)


def test_read_only_output_folder(tmp_path: Path, fake_models, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "readonly"
    out.mkdir()
    if os.geteuid() == 0:  # root ignores permissions: make the kernel's EROFS answer by hand
        real_mkdir = Path.mkdir

        def read_only(self, *args, **kwargs):
            if out in self.parents:
                raise OSError(errno.EROFS, "Read-only file system")
            return real_mkdir(self, *args, **kwargs)
        monkeypatch.setattr(Path, "mkdir", read_only)
    else:
        out.chmod(0o555)
    path = write_wav(tmp_path / "meeting.wav", tone(2))
    result = run(tmp_path, str(path), out=out)
    line = assert_one_line_error(result, out / "meeting", "cannot create the output folder", "--out")
    assert "Read-only file system" in line or "Permission denied" in line


def test_disk_full_while_writing(tmp_path: Path, fake_models, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = Path.write_text

    def disk_full(self, *args, **kwargs):
        if self.name.startswith("result.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)
    monkeypatch.setattr(Path, "write_text", disk_full)
    path = write_wav(tmp_path / "meeting.wav", tone(2))
    result = run(tmp_path, str(path))
    assert_one_line_error(result, tmp_path / "out" / "meeting" / "result.json", "No space left on device",
                          "free some disk space")
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not [name for name in leftovers if name.endswith(".tmp")]


@pytest.mark.parametrize("args", [["--num-speakers", "0"], ["--device", "tpu"], ["--min-speakers", "5",
                                  "--max-speakers", "2"], ["--num-speakers", "2", "--max-speakers", "3"]])
def test_usage_errors_exit_2(tmp_path: Path, fake_models, args: list[str]) -> None:
    path = write_wav(tmp_path / "meeting.wav", tone(2))
    result = run(tmp_path, str(path), *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not fake_models  # rejected before any model was built


def test_bad_config_file_exits_2(tmp_path: Path, fake_models) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[asr\nmodel = 1")
    result = run(tmp_path, str(write_wav(tmp_path / "m.wav", tone(2))), "--config", str(config))
    assert result.exit_code == 2
    errors = [line for line in error_lines(result) if line.startswith("error:")]
    assert len(errors) == 1 and str(config) in errors[0] and "not valid TOML" in errors[0]


def test_missing_input_does_not_load_models(tmp_path: Path, fake_models) -> None:
    """Checking that inputs exist is instant; loading the models for nothing costs seconds."""
    result = run(tmp_path, str(tmp_path / "missing.wav"))
    assert result.exit_code == 1
    assert not fake_models
