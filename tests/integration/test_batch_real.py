"""``floorshare batch`` with the real models on the two short samples: process all, then skip all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.kernels import kernel_path

pytestmark = pytest.mark.integration


def test_batch_of_the_samples_with_two_workers_then_a_rerun_skips_everything(tmp_path: Path) -> None:
    db, out, report = tmp_path / "db.sqlite", tmp_path / "out", tmp_path / "report.json"
    args = [sys.executable, "-m", "analyzer", "batch", str(SAMPLES), "--group", "demo", "--db", str(db),
            "--workers", "2", "--device", "cpu", "--report", str(report)]
    first = subprocess.run([*args, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert first.returncode == 0, first.stdout + first.stderr
    files = json.loads(report.read_text())["files"]
    assert [(Path(f["path"]).name, f["status"]) for f in files] == [("tst00.wav", "ok"), ("sample.wav", "ok")]
    assert all(f["rtf"] and f["session_id"] for f in files)
    result = json.loads((out / "pyannote-sample" / "sample" / "result.json").read_text())
    assert len(result["speakers"]) == 2 and result["verdict"]["label"], (
        f"{len(result['speakers'])} speakers on the sample ({kernel_path()})")

    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    again = json.loads(report.read_text())["files"]
    assert [f["status"] for f in again] == ["skipped", "skipped"]
    assert [f["session_id"] for f in again] == [f["session_id"] for f in files]
