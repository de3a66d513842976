"""Batch planning, resume, isolation and reporting, run in-process (no worker processes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analyzer.batch.discovery import discover
from analyzer.batch.engines import build_engine
from analyzer.batch.ledger import FailureLedger, ledger_path
from analyzer.batch.report import FAILED, OK, PENDING, SKIPPED, write_report
from analyzer.batch.resources import default_workers, threads_per_worker
from analyzer.batch.runner import EARLIER_FAILURE_NOTE, BatchOptions, BatchRunner
from analyzer.batch.tasks import BatchTask, FileStarted, StageUpdate, analyze_task, load_factory
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import AudioError, ConfigError, ModelError
from analyzer.storage import SessionStore
from tests.conftest import write_tone_wav
from tests.unit.test_batch_fakes import fake_analyzer

GiB = 1024 ** 3


class InlineEngine:
    """Runs tasks in this process with the fake analyzer; optionally stops after ``stop_after`` files."""

    name = "inline"
    startup_seconds = 0.0

    def __init__(self, stop_after: int | None = None) -> None:
        self.analyzer = fake_analyzer(AnalysisConfig())
        self.stop_after = stop_after
        self.seen: list[str] = []

    def run(self, tasks):
        for number, task in enumerate(tasks):
            if self.stop_after is not None and number == self.stop_after:
                raise KeyboardInterrupt
            self.seen.append(Path(task.path).name)
            yield FileStarted("t1", task.index)
            updates: list[StageUpdate] = []
            outcome = analyze_task(self.analyzer, task, "t1", updates.append)
            yield from updates
            yield outcome


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three good recordings, a text file named .mp3, a truncated wav, notes, and a sub-folder."""
    root = tmp_path / "meetings"
    (root / "sub").mkdir(parents=True)
    for name, freq in (("b.wav", 300), ("a.wav", 200), ("C.wav", 400)):
        write_tone_wav(root / name, 2.0, freq=freq)
    write_tone_wav(root / "sub" / "d.wav", 2.0, freq=500)
    (root / "fake.mp3").write_text("not audio at all", encoding="utf-8")
    (root / "broken.wav").write_bytes((root / "a.wav").read_bytes()[:30])
    (root / "notes.txt").write_text("agenda", encoding="utf-8")
    (root / ".hidden.wav").write_bytes(b"")
    return root


@pytest.fixture
def store(tmp_path: Path):
    with SessionStore(str(tmp_path / "db.sqlite")) as opened:
        yield opened


def runner_for(store, options: BatchOptions = BatchOptions()) -> BatchRunner:
    return BatchRunner(store, FailureLedger(ledger_path(store.url)), AnalysisConfig(), options)


def run_batch(store, folder: Path, options: BatchOptions = BatchOptions(), engine=None, recursive=False):
    runner = runner_for(store, options)
    plan = runner.plan(discover([folder], recursive=recursive))
    return runner.run(plan, engine or InlineEngine())


def statuses(report) -> dict[str, str]:
    return {Path(f.path).name: f.status for f in report.files}


def test_discovery_by_extension_and_content_in_stable_order(folder: Path) -> None:
    write_tone_wav(folder / "no_extension", 1.0)
    found = discover([folder])
    assert [d.path.name for d in found.items] == ["a.wav", "b.wav", "broken.wav", "C.wav", "fake.mp3",
                                                  "no_extension"]
    assert {d.path.name for d in found.recordings} == {"a.wav", "b.wav", "C.wav", "no_extension"}
    assert {d.path.name: "text file" in (d.error or "") for d in found.rejected} == {"broken.wav": False,
                                                                                    "fake.mp3": True}
    assert {p.name for p in found.ignored} == {"notes.txt"}
    assert discover([folder]).items == found.items  # same order every time
    recursive = discover([folder], recursive=True)
    assert {d.path.name for d in recursive.recordings} - {d.path.name for d in found.recordings} == {"d.wav"}
    assert next(d.relative for d in recursive.recordings if d.path.name == "d.wav") == Path("sub/d.wav")


def test_discovery_counts_a_video_with_an_audio_track(tmp_path: Path) -> None:
    import av
    import numpy as np

    video = tmp_path / "clip.mp4"
    with av.open(str(video), "w") as container:
        picture = container.add_stream("mpeg4", rate=10)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream("aac", rate=16000, layout="mono")
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, dtype=np.uint8), format="rgb24")
            container.mux(picture.encode(frame))
        samples = (0.2 * np.sin(np.arange(16000) / 10)).astype(np.float32).reshape(1, -1)
        audio = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
        audio.sample_rate = 16000
        container.mux(sound.encode(audio))
        container.mux(sound.encode(None))
        container.mux(picture.encode(None))
    found = discover([tmp_path])
    assert [d.path.name for d in found.recordings] == ["clip.mp4"]
    assert found.recordings[0].duration > 0.5


def test_discovery_of_a_missing_input_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file or folder"):
        discover([tmp_path / "nope"])


def test_mixed_folder_statuses_and_report(folder: Path, store, tmp_path: Path) -> None:
    report = run_batch(store, folder)
    assert statuses(report) == {"a.wav": OK, "b.wav": OK, "C.wav": OK, "broken.wav": FAILED,
                                "fake.mp3": FAILED}
    assert report.failed
    ok = [f for f in report.files if f.status == OK]
    assert all(f.session_id is not None and f.seconds is not None and f.rtf is not None for f in ok)
    assert len({f.session_id for f in ok}) == 3
    write_report(report, tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    entries = {Path(e["path"]).name: e for e in data["files"]}
    assert entries["fake.mp3"]["status"] == "failed" and "text file" in entries["fake.mp3"]["error"]
    assert entries["a.wav"]["session_id"] == store.find(ok[0].sha256, AnalysisConfig().config_hash())
    assert set(entries["a.wav"]) >= {"path", "status", "error", "session_id"}
    assert data["totals"] == {"ok": 3, "skipped": 0, "failed": 2, "pending": 0}


def test_rerun_skips_stored_files_and_force_analyses_them_again(folder: Path, store) -> None:
    first = run_batch(store, folder)
    engine = InlineEngine()
    second = run_batch(store, folder, engine=engine)
    assert engine.seen == []
    assert {n: s for n, s in statuses(second).items() if n.endswith(".wav") and n != "broken.wav"} == \
        {"a.wav": SKIPPED, "b.wav": SKIPPED, "C.wav": SKIPPED}
    assert [f.session_id for f in second.files if f.status == SKIPPED] == \
        [f.session_id for f in first.files if f.status == OK]
    forced = run_batch(store, folder, BatchOptions(force=True), engine=InlineEngine())
    assert statuses(forced)["a.wav"] == OK
    assert len(store.list_sessions()) == 3  # replaced, not duplicated


def test_a_failure_is_remembered_until_retry_failed(folder: Path, store) -> None:
    crash = folder / "late.wav"
    write_tone_wav(crash, 2.0, freq=800)

    class FailingOnLate(InlineEngine):
        def run(self, tasks):
            for event in super().run(tasks):
                if getattr(event, "result", None) and event.result.recording.path.endswith("late.wav"):
                    event = type(event)(event.index, event.worker, event.seconds, error="late.wav: boom")
                yield event

    assert statuses(run_batch(store, folder, engine=FailingOnLate()))["late.wav"] == FAILED
    engine = InlineEngine()
    again = run_batch(store, folder, engine=engine)
    late = next(f for f in again.files if f.path.endswith("late.wav"))
    assert (late.status, late.error, late.note) == (FAILED, "late.wav: boom", EARLIER_FAILURE_NOTE)
    assert engine.seen == []
    retried = run_batch(store, folder, BatchOptions(retry_failed=True), engine=InlineEngine())
    assert statuses(retried)["late.wav"] == OK
    assert statuses(run_batch(store, folder))["late.wav"] == SKIPPED


def test_setup_errors_are_not_remembered_as_file_failures(folder: Path, store) -> None:
    class MissingModel:
        def analyze_file(self, path, hook, **_):
            raise ModelError("tiny.en: model missing; run `floorshare models fetch`")

    outcome = analyze_task(MissingModel(), BatchTask(0, str(folder / "a.wav")), "w1", lambda u: None)
    assert outcome.error and not outcome.file_specific
    crashing = analyze_task(type("X", (), {"analyze_file": lambda self, p, hook, **_: 1 / 0})(),
                            BatchTask(0, "x.wav"), "w1", lambda u: None)
    assert crashing.file_specific and "ZeroDivisionError" in crashing.error


def test_interrupted_batch_keeps_finished_results_and_resumes(folder: Path, store) -> None:
    report = run_batch(store, folder, engine=InlineEngine(stop_after=1))
    assert report.interrupted
    assert sorted(statuses(report).values()).count(OK) == 1
    assert statuses(report)["b.wav"] == PENDING
    engine = InlineEngine()
    resumed = run_batch(store, folder, engine=engine)
    assert len(engine.seen) == 2 and statuses(resumed)["a.wav"] == SKIPPED


def test_identical_copies_are_analysed_once(folder: Path, store) -> None:
    (folder / "z_copy.wav").write_bytes((folder / "a.wav").read_bytes())
    engine = InlineEngine()
    report = run_batch(store, folder, engine=engine)
    copy = next(f for f in report.files if f.path.endswith("z_copy.wav"))
    original = next(f for f in report.files if f.path.endswith("a.wav"))
    assert "z_copy.wav" not in engine.seen
    assert (copy.status, copy.session_id) == (SKIPPED, original.session_id)
    assert copy.note == f"same content as {original.path}"


def test_out_mirrors_the_input_tree(folder: Path, store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(store, folder, BatchOptions(out=out), recursive=True)
    assert (out / "a" / "result.json").exists() and (out / "sub" / "d" / "result.json").exists()


def test_default_workers_follow_cores_and_memory() -> None:
    assert default_workers("cpu", cpus=2, memory=16 * GiB) == 1
    assert default_workers("cpu", cpus=16, memory=64 * GiB) == 8
    assert default_workers("cpu", cpus=16, memory=6 * GiB) == 2  # memory-bound: (6 - 1) GiB / 2.5 GiB
    assert default_workers("cpu", cpus=1, memory=1 * GiB) == 1
    assert default_workers("cuda", cpus=32, memory=128 * GiB) == 1
    assert threads_per_worker(2, cpus=8) == 4 and threads_per_worker(3, cpus=2) == 1


def test_engine_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="choose local or ray"):
        build_engine("spark", AnalysisConfig())
    with pytest.raises(ConfigError, match="need --engine ray"):
        build_engine("local", AnalysisConfig(), ray_address="ray://head:10001")
    engine = build_engine("local", AnalysisConfig(), workers=3)
    assert (engine.workers, engine.name) == (3, "local")


def test_unknown_factory_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot be imported"):
        load_factory("analyzer.nowhere:build")


def test_a_folder_of_folders_is_searched_without_recursive(tmp_path: Path) -> None:
    for meeting in ("2024-01", "2024-02"):
        (tmp_path / "corpus" / meeting).mkdir(parents=True)
        write_tone_wav(tmp_path / "corpus" / meeting / "room.wav", 1.0)
    (tmp_path / "corpus" / "README.md").write_text("corpus", encoding="utf-8")
    found = discover([tmp_path / "corpus"])
    assert [str(d.relative) for d in found.recordings] == ["2024-01/room.wav", "2024-02/room.wav"]
    assert found.descended == (tmp_path / "corpus",)
    write_tone_wav(tmp_path / "corpus" / "top.wav", 1.0)
    assert [d.path.name for d in discover([tmp_path / "corpus"]).recordings] == ["top.wav"]


def test_ray_actor_body_analyses_shipped_audio_and_reports_the_driver_path(folder: Path) -> None:
    from analyzer.batch.ray_engine import AnalyzerActor

    class Board:
        def __init__(self) -> None:
            self.updates = []
            self.report = type("Remote", (), {"remote": lambda _, update: self.updates.append(update)})()

    board = Board()
    actor = AnalyzerActor("tests.unit.test_batch_fakes:fake_analyzer", AnalysisConfig(), "r1", board)
    assert actor.load() is None
    shipped = actor.analyze(BatchTask(0, "/elsewhere/a.wav"), (folder / "a.wav").read_bytes(), "meetings/a.wav")
    assert shipped.result is not None and shipped.result.recording.path == "meetings/a.wav"
    assert {u.stage for u in board.updates} >= {"decode", "diarize", "metrics"}
    bad = actor.analyze(BatchTask(1, "/elsewhere/fake.mp3"), (folder / "fake.mp3").read_bytes(), "x/fake.mp3")
    assert bad.result is None and bad.error.startswith("x/fake.mp3: ") and "/tmp" not in bad.error


def test_ray_actor_reports_a_model_loading_error_instead_of_dying() -> None:
    from analyzer.batch.ray_engine import AnalyzerActor

    actor = AnalyzerActor("analyzer.nowhere:build", AnalysisConfig(), "r1", board=None)
    assert "cannot be imported" in actor.load()
    assert AnalyzerActor("tests.unit.test_batch_fakes:fake_analyzer", AnalysisConfig(), "r1", None).load() is None


def test_progress_counts_audio_seconds_and_stages_in_flight() -> None:
    import io

    from rich.console import Console

    from analyzer.batch.display import BatchProgress
    from analyzer.batch.report import FileReport
    from analyzer.batch.runner import BatchPlan

    files = [FileReport("a.wav", duration=10.0, worker="w1"), FileReport("b.wav", duration=30.0, worker="w2")]
    plan = BatchPlan(files=files, tasks=[BatchTask(0, "a.wav"), BatchTask(1, "b.wav")])
    with BatchProgress(plan, Console(file=io.StringIO()), enabled=False) as progress:
        overall = progress.progress.tasks[0]
        assert overall.total == 40.0
        progress.started(files[1])
        progress.stage(StageUpdate("w2", 1, "diarize", 1, 2))  # decode done, half of diarize
        assert overall.completed == pytest.approx(30.0 * (0.03 + 0.25))
        progress.finished(files[1])
        assert overall.completed == pytest.approx(30.0) and overall.description.startswith("batch 1/2")


def test_each_file_is_dated_by_its_name_or_mtime_and_date_overrides(tmp_path: Path, store) -> None:
    root = tmp_path / "phone"
    root.mkdir()
    write_tone_wav(root / "board 20260314.wav", 2.0, freq=300)
    plain = write_tone_wav(root / "plain.wav", 2.0, freq=400)
    os.utime(plain, (1_750_000_000, 1_750_000_000))  # 2025-06-15 UTC: a copy keeps or resets it
    report = run_batch(store, root)
    dated = {Path(f.path).name: f.meeting_date for f in report.files}
    assert dated == {"board 20260314.wav": "2026-03-14 (from the file name)",
                     "plain.wav": "2025-06-15 (from the file's modification time)"}
    assert [(s.title, s.recorded_at, s.date_source) for s in store.list_sessions()] == [
        ("plain", "2025-06-15T15:06:40+00:00", "file modified"),
        ("board 20260314", "2026-03-14T00:00:00+00:00", "file name")]
    other = tmp_path / "other"
    other.mkdir()
    write_tone_wav(other / "x 20260314.wav", 2.0, freq=500)
    forced = run_batch(store, other, BatchOptions(date="2026-01-02T00:00:00+00:00"))
    assert forced.files[0].meeting_date == "2026-01-02 (given by you)"


class AbortingEngine(InlineEngine):
    """Analyses ``finish`` files, then stops as the Ray engine does when no worker can go on."""

    def __init__(self, finish: int, error: Exception) -> None:
        super().__init__()
        self.finish, self.error = finish, error

    def run(self, tasks):
        yield from super().run(tasks[: self.finish])
        raise self.error


def test_an_aborted_batch_keeps_what_finished_and_still_writes_its_report(folder: Path, tmp_path: Path,
                                                                         monkeypatch) -> None:
    from typer.testing import CliRunner

    import analyzer.batch.engines as engines
    from analyzer.cli.app import build_app

    error = ConfigError("no node left of the Ray cluster can hold a worker, which needs 1 CPU (...)")
    monkeypatch.setattr(engines, "build_engine", lambda *args, **kwargs: AbortingEngine(1, error))
    db, report = tmp_path / "abort.sqlite", tmp_path / "report.json"
    result = CliRunner().invoke(build_app(), ["batch", str(folder), "--db", str(db), "--report", str(report)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == f"error: {error}"
    data = json.loads(report.read_text())
    assert data["aborted"] == str(error)
    assert data["totals"] == {"ok": 1, "skipped": 0, "failed": 2, "pending": 2}
    with SessionStore(str(db)) as store:
        assert len(store.list_sessions()) == 1  # what finished before the stop is stored


def test_the_report_is_written_when_the_database_cannot_be_opened(folder: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analyzer.cli.app import build_app

    report = tmp_path / "report.json"
    result = CliRunner().invoke(build_app(), ["batch", str(folder), "--db", str(tmp_path / "no" / "such" / "db"),
                                              "--report", str(report)])
    assert result.exit_code == 1 and "error:" in result.output
    data = json.loads(report.read_text())
    assert data["aborted"] and data["totals"]["pending"] == len(data["files"]) > 0
