"""The one recording -> stored session path and the one words -> metrics path (fake models)."""

from __future__ import annotations

from pathlib import Path

import pytest

import analyzer.adapters.audio as audio
import analyzer.pipeline.session as session
from analyzer.batch.discovery import discover
from analyzer.batch.ledger import FailureLedger
from analyzer.batch.runner import BatchOptions, BatchRunner
from analyzer.batch.tasks import BatchTask, analyze_task
from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.analysis import Analyzer
from analyzer.pipeline.session import StoreOptions, analyze_recording
from analyzer.pipeline.sources import metrics_from_segments
from analyzer.storage import SessionStore
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav

SCRIPT = [(0.2, 4.8, "so what do you think we should do next"), (5.5, 11.0, "you need to send the report today")]
SEGMENTS = [seg(0.0, 5.2, "SPEAKER_00"), seg(5.4, 11.5, "SPEAKER_01")]


def fake(config: AnalysisConfig | None = None) -> Analyzer:
    return Analyzer(config or AnalysisConfig(), FakeTranscriber(words_from_script(SCRIPT)), FakeDiarizer(SEGMENTS))


class CountingStore:
    """A real SQLite store that counts lookups."""

    def __init__(self, url: str) -> None:
        self.inner = SessionStore(url)
        self.finds = 0

    def find(self, sha256: str, config_hash: str) -> int | None:
        self.finds += 1
        return self.inner.find(sha256, config_hash)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file hashed by the session path or the decoder, in order."""
    seen: list[str] = []
    real = audio.file_sha256

    def counting(path):
        seen.append(Path(path).name)
        return real(path)
    monkeypatch.setattr(audio, "file_sha256", counting)
    monkeypatch.setattr(session, "file_sha256", counting)
    return seen


def test_a_new_recording_is_hashed_once_looked_up_once_and_stored(tmp_path, hashes):
    wav = write_tone_wav(tmp_path / "meeting.wav", 12.0)
    store = CountingStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    loads: list[int] = []

    outcome = analyze_recording(wav, config=AnalysisConfig(), analyzer=lambda: loads.append(1) or fake(),
                                store=store, options=StoreOptions(group="board"))
    assert (hashes, store.finds, loads) == (["meeting.wav"], 1, [1])
    assert not outcome.already_stored and outcome.result.recording.sha256 == audio.file_sha256(wav)
    assert store.inner.summary(outcome.session_id).group == "board"


def test_a_stored_recording_loads_no_model_and_keeps_its_new_name(tmp_path, hashes):
    wav = write_tone_wav(tmp_path / "meeting.wav", 12.0)
    store = CountingStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    first = analyze_recording(wav, config=AnalysisConfig(), analyzer=fake(), store=store)
    copy = tmp_path / "copy.wav"
    copy.write_bytes(wav.read_bytes())

    def no_models():
        raise AssertionError("models loaded for a stored recording")
    again = analyze_recording(copy, config=AnalysisConfig(), analyzer=no_models, store=store)
    assert again.already_stored and again.session_id == first.session_id
    assert again.result.recording.path == str(copy)
    forced = analyze_recording(copy, config=AnalysisConfig(), analyzer=fake(), store=store, force=True)
    assert not forced.already_stored and forced.session_id == first.session_id  # the same settings: kept


def test_batch_tasks_carry_the_hash_to_the_workers(tmp_path, hashes):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, freq in (("a.wav", 200), ("b.wav", 300)):
        write_tone_wav(folder / name, 12.0, freq=freq)
    store = SessionStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    runner = BatchRunner(store, FailureLedger(tmp_path / "ledger.json"), AnalysisConfig(), BatchOptions())
    plan = runner.plan(discover([folder]))
    assert [t.sha256 for t in plan.tasks] == [audio.file_sha256(folder / n) for n in ("a.wav", "b.wav")]
    hashes.clear()
    outcome = analyze_task(fake(), plan.tasks[0], "w1", lambda update: None)
    assert hashes == [] and outcome.result.recording.sha256 == plan.tasks[0].sha256


def test_a_task_without_a_hash_is_hashed_by_the_worker(tmp_path, hashes):
    wav = write_tone_wav(tmp_path / "a.wav", 12.0)
    outcome = analyze_task(fake(), BatchTask(0, str(wav)), "w1", lambda update: None)
    assert hashes == ["a.wav"] and outcome.result is not None


def test_metrics_from_words_time_directives_as_the_analysis_does(tmp_path):
    wav = write_tone_wav(tmp_path / "meeting.wav", 12.0)
    analysed = fake().analyze_file(wav)
    words = tuple(analysed.transcript.words())
    metrics, turns, attributed, directives = metrics_from_segments(SEGMENTS, AnalysisConfig(), words=words,
                                                                   duration=analysed.recording.duration)
    assert analysed.directives, "the script has a directive"
    assert directives == analysed.directives
    assert [d.time for d in directives] == [d.time for d in analysed.directives]
    assert (turns, attributed) == (analysed.turns, analysed.words)
    assert metrics == analysed.metrics
