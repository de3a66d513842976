"""Batch engines for real: worker processes, a process killed mid-batch, and a local Ray.

The models are the fakes of tests/unit/test_batch_fakes.py (loaded in each worker through the
testing hook FLOORSHARE_BATCH_ANALYZER_FACTORY); decoding, alignment, metrics, storage and the
processes are real.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analyzer.storage import SessionStore
from tests.conftest import ROOT, write_tone_wav
from tests.unit.test_batch_fakes import DELAY_ENV, FACTORY

pytestmark = pytest.mark.integration


def batch_env(delay: float = 0.0, factory: str = FACTORY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update({"PYTHONPATH": str(ROOT), "FLOORSHARE_BATCH_ANALYZER_FACTORY": factory, DELAY_ENV: str(delay),
                "COLUMNS": "200"})
    return env


def floorshare(*args: str, delay: float = 0.0, factory: str = FACTORY,
               timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=ROOT, env=batch_env(delay, factory),
                          capture_output=True, text=True, timeout=timeout)


def make_recordings(folder: Path, count: int, seconds: float = 2.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_tone_wav(folder / f"m{i:02d}.wav", seconds, freq=150 + 40 * i) for i in range(count)]


def load_report(path: Path) -> dict[str, dict]:
    return {Path(entry["path"]).name: entry for entry in json.loads(path.read_text())["files"]}


def comparable(result_json: Path) -> dict:
    data = json.loads(result_json.read_text())
    data["provenance"].pop("created_at", None)
    return data


def test_mixed_folder_with_two_workers_isolates_bad_files_and_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_recordings(folder, 3)
    (folder / "notes.mp3").write_text("minutes of the meeting, not audio", encoding="utf-8")
    (folder / "corrupt.wav").write_bytes((folder / "m00.wav").read_bytes()[:40])
    write_tone_wav(folder / "crash.wav", 2.0, freq=990)  # kills its worker process mid-analysis
    db, report = tmp_path / "db.sqlite", tmp_path / "report.json"
    run = floorshare("batch", str(folder), "--workers", "2", "--db", str(db), "--report", str(report))
    assert run.returncode == 1, run.stdout + run.stderr
    entries = load_report(report)
    assert {name: e["status"] for name, e in entries.items()} == {
        "corrupt.wav": "failed", "crash.wav": "failed", "m00.wav": "ok", "m01.wav": "ok", "m02.wav": "ok",
        "notes.mp3": "failed"}
    assert "worker process died" in entries["crash.wav"]["error"]
    assert "text file" in entries["notes.mp3"]["error"]
    assert all(isinstance(entries[f"m0{i}.wav"]["session_id"], int) for i in range(3))
    assert "3 ok, 0 skipped, 3 failed" in run.stdout

    rerun = floorshare("batch", str(folder), "--workers", "2", "--db", str(db), "--report", str(report))
    assert rerun.returncode == 1
    again = load_report(report)
    assert [again[f"m0{i}.wav"]["status"] for i in range(3)] == ["skipped"] * 3
    assert [again[f"m0{i}.wav"]["session_id"] for i in range(3)] == [entries[f"m0{i}.wav"]["session_id"]
                                                                     for i in range(3)]
    assert again["crash.wav"]["status"] == "failed"  # remembered; not run again without --retry-failed

    for bad in ("notes.mp3", "corrupt.wav", "crash.wav"):
        (folder / bad).unlink()
    clean = floorshare("batch", str(folder), "--db", str(db))
    assert clean.returncode == 0 and "0 ok, 3 skipped, 0 failed" in clean.stdout


def test_workers_that_cannot_load_models_stop_the_batch_with_one_line(tmp_path: Path) -> None:
    make_recordings(tmp_path / "in", 2)
    run = floorshare("batch", str(tmp_path / "in"), "--db", str(tmp_path / "db.sqlite"),
                     factory="analyzer.nowhere:build")
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1].startswith("error: analyzer factory 'analyzer.nowhere:build' "
                                                          "cannot be imported")
    assert "Traceback" not in run.stderr


def test_resume_after_the_batch_process_is_killed(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "db.sqlite"
    make_recordings(folder, 5)
    SessionStore(str(db)).close()  # create the schema before polling it
    process = subprocess.Popen([sys.executable, "-m", "analyzer", "batch", str(folder), "--workers", "1",
                                "--db", str(db)], cwd=ROOT, env=batch_env(delay=1.5),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 90
        while stored < 1 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            workers = workers or psutil.Process(process.pid).children(recursive=True)
            with SessionStore(str(db)) as store:
                stored = len(store.list_sessions())
        assert stored >= 1, "no result was stored before the deadline"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "worker processes outlived the killed batch"
    with SessionStore(str(db)) as store:
        kept = len(store.list_sessions())
    assert 1 <= kept < 5

    report = tmp_path / "report.json"
    rerun = floorshare("batch", str(folder), "--workers", "1", "--db", str(db), "--report", str(report))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    statuses = [e["status"] for e in load_report(report).values()]
    assert statuses.count("skipped") == kept and statuses.count("ok") == 5 - kept
    with SessionStore(str(db)) as store:
        assert len(store.list_sessions()) == 5


def test_ray_engine_matches_the_local_engine(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_recordings(folder, 2, seconds=3.0)
    outputs = {}
    for engine in ("local", "ray"):
        out, report = tmp_path / f"out-{engine}", tmp_path / f"report-{engine}.json"
        run = floorshare("batch", str(folder), "--engine", engine, "--workers", "2", "--group", "demo",
                         "--db", str(tmp_path / f"{engine}.sqlite"), "--out", str(out), "--report", str(report))
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
        entries = load_report(report)
        assert [e["status"] for e in entries.values()] == ["ok", "ok"]
        if engine == "ray":
            assert {e["worker"] for e in entries.values()} <= {"r1", "r2"}
        outputs[engine] = {name: comparable(out / name / "result.json") for name in ("m00", "m01")}
    assert outputs["ray"] == outputs["local"]
    assert outputs["ray"]["m00"]["verdict"]["label"] and outputs["ray"]["m00"]["turns"]
    with SessionStore(str(tmp_path / "ray.sqlite")) as store:
        assert [s.group for s in store.list_sessions()] == ["demo", "demo"]


def test_ctrl_c_stops_the_batch_keeps_finished_results_and_a_rerun_finishes(tmp_path: Path) -> None:
    folder, db, report = tmp_path / "in", tmp_path / "db.sqlite", tmp_path / "report.json"
    make_recordings(folder, 4)
    SessionStore(str(db)).close()
    process = subprocess.Popen([sys.executable, "-m", "analyzer", "batch", str(folder), "--workers", "1",
                                "--db", str(db), "--report", str(report)], cwd=ROOT, env=batch_env(delay=1.5),
                               start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline, stored = time.monotonic() + 90, 0
    while stored < 1 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        with SessionStore(str(db)) as store:
            stored = len(store.list_sessions())
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    data = json.loads(report.read_text())
    assert data["interrupted"] and data["totals"]["ok"] >= 1 and data["totals"]["pending"] >= 1
    assert "run the same command again" in output
    rerun = floorshare("batch", str(folder), "--db", str(db), "--report", str(report))
    assert rerun.returncode == 0
    assert json.loads(report.read_text())["totals"]["skipped"] == data["totals"]["ok"]


def test_bench_batch_reports_files_per_hour_for_each_engine(tmp_path: Path) -> None:
    make_recordings(tmp_path / "in", 2)
    run = floorshare("bench-batch", str(tmp_path / "in"))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line.split("│")[1:-1] for line in run.stdout.splitlines() if line.startswith("│")]
    assert [(cells[0].strip(), cells[1].strip(), cells[2].strip()) for cells in rows] == [
        ("local", "1", "2"), ("local", "2", "2"), ("ray", "2", "2")]
    assert all(float(cells[6]) > 0 for cells in rows)  # files/hour
    assert rows[0][7].strip() == "1.00" and all(float(cells[7]) > 0 for cells in rows)  # × the first row
    assert rows[0][9].strip().endswith("GiB") and rows[2][9].strip().endswith("GiB")  # a worker's, an actor's memory
