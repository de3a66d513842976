"""The batch side of the bad-input matrix: ``floorshare batch`` goes on past every bad file.

Runs the real CLI in a subprocess with one local worker process over the fake models
(the batch's testing hook ``FLOORSHARE_BATCH_ANALYZER_FACTORY``); decoding, storage and
the report are real. Every bad file is reported failed with a one-line error naming it;
every good file (odd names, rates and channel counts included) is stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.hardening.conftest import (
    corrupt_copy, encode_audio, tone, truncated_copy, video_without_audio, write_wav,
)

pytestmark = pytest.mark.integration
FACTORY = "tests.unit.test_batch_fakes:fake_analyzer"


def floorshare(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(PYTHONPATH=str(ROOT), FLOORSHARE_BATCH_ANALYZER_FACTORY=FACTORY, COLUMNS="300")
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batch")
    d = tmp / "in"
    d.mkdir()
    good_mp3 = encode_audio(tmp / "good.mp3", tone(3, 44100), 44100, "stereo", "libmp3lame")
    (d / "empty.wav").write_bytes(b"")
    (d / "notes.wav").write_text("minutes of the meeting\n" * 20)
    bad = {
        "empty.wav": "empty (0 bytes)",
        "notes.wav": "is a text file, not audio",
        truncated_copy(write_wav(tmp / "f.wav", tone(2)), d / "header only.wav", 30).name: "not a readable",
        corrupt_copy(good_mp3, d / "corrupt.mp3").name: "corrupt audio",
        write_wav(d / "blip.wav", tone(0.3)).name: "shorter than 0.5 s",
    }
    video_without_audio(d / "screen.mp4")  # no audio track: reported failed, never a crash
    good = [write_wav(d / "réunion du lundi.wav", tone(3)).name,
            truncated_copy(write_wav(tmp / "long.wav", tone(4)), d / "cut.wav", 0.5).name,
            encode_audio(d / "phone.wav", tone(3, 8000), 8000, "mono", "pcm_s16le").name,
            encode_audio(d / "stereo48k.wav", tone(3, 48000), 48000, "stereo", "pcm_s16le").name,
            encode_audio(d / "six.wav", tone(3, 48000), 48000, "5.1", "pcm_s16le").name,
            write_wav(d / "silence.wav", np.zeros(16000 * 5)).name]
    args = ["batch", str(d), "--workers", "1", "--db", str(tmp / "s.db"), "--report", str(tmp / "report.json"),
            "--out", str(tmp / "out")]
    first = floorshare(*args)
    report = {Path(e["path"]).name: e for e in json.loads((tmp / "report.json").read_text())["files"]}
    second = floorshare(*args)
    return {"first": first, "second": second, "report": report, "bad": bad, "good": good, "tmp": tmp}


def test_batch_exit_code_and_no_traceback(batch_run) -> None:
    first = batch_run["first"]
    assert first.returncode == 1, first.stderr[-3000:]
    assert "Traceback" not in first.stderr + first.stdout


def test_every_bad_file_failed_with_its_own_line(batch_run) -> None:
    report = batch_run["report"]
    for name, fragment in batch_run["bad"].items():
        entry = report[name]
        assert entry["status"] == "failed", entry
        assert fragment in entry["error"] and "\n" not in entry["error"], entry
        assert name in entry["error"]


def test_every_good_file_is_stored(batch_run) -> None:
    report = batch_run["report"]
    for name in batch_run["good"]:
        assert report[name]["status"] == "ok", report[name]
        assert report[name]["session_id"] is not None


def test_video_without_audio_is_not_a_crash(batch_run) -> None:
    entry = batch_run["report"].get("screen.mp4")
    assert entry is not None, "screen.mp4 (an .mp4 is a recording's extension) is missing from the report"
    assert entry["status"] == "failed" and "video without sound" in entry["error"], entry


def test_rerun_skips_what_is_stored_and_still_reports_failures(batch_run) -> None:
    second = batch_run["second"]
    assert second.returncode == 1, second.stderr[-3000:]
    report = {Path(e["path"]).name: e for e in json.loads((batch_run["tmp"] / "report.json").read_text())["files"]}
    assert all(report[name]["status"] == "skipped" for name in batch_run["good"])
