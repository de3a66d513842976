"""Shared test builders and fakes. Fakes live only here, never in the product."""

from __future__ import annotations

import math
import os
import tempfile
import wave
from pathlib import Path

import pytest

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
# Tests never touch the user's own data: the default database and data folder live in a temp dir.
_TEST_HOME = tempfile.mkdtemp(prefix="floorshare-tests-")
os.environ["XDG_DATA_HOME"] = _TEST_HOME
os.environ["FLOORSHARE_DB"] = f"sqlite:///{_TEST_HOME}/sessions.db"

from analyzer.adapters.audio import LoadedAudio  # noqa: E402
from analyzer.core.config import AnalysisConfig, AsrConfig, DiarizationConfig  # noqa: E402
from analyzer.core.progress import Hook, null_hook  # noqa: E402
from analyzer.core.schema import (  # noqa: E402
    Diarization, ModelRef, SpeakerSegment, Transcript, TranscriptSegment, Word,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def seg(start: float, end: float, speaker: str) -> SpeakerSegment:
    return SpeakerSegment(start=start, end=end, speaker=speaker)


def words_from_script(script: list[tuple[float, float, str]]) -> tuple[Word, ...]:
    """Spread each (start, end, text) evenly over its words."""
    out = []
    for start, end, text in script:
        tokens = text.split()
        step = (end - start) / max(1, len(tokens))
        out.extend(Word(start + i * step, start + (i + 1) * step * 0.98, tok) for i, tok in enumerate(tokens))
    return tuple(out)


class FakeDiarizer:
    """Returns a fixed diarization, whatever the audio."""

    models = (ModelRef("fake-diarizer", "segmentation", "tests", "0" * 64),)
    device = "cpu"

    def __init__(self, segments: list[SpeakerSegment], exclusive: list[SpeakerSegment] | None = None) -> None:
        speakers = tuple(sorted({s.speaker for s in segments}))
        self.result = Diarization(tuple(segments), tuple(exclusive if exclusive is not None else segments),
                                  speakers)

    def diarize(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                config: DiarizationConfig | None = None) -> Diarization:
        hook("diarize", 1, 1)
        return self.result


class FakeTranscriber:
    """Returns a fixed transcript, whatever the audio."""

    models = (ModelRef("fake-asr", "asr", "tests", "1" * 64),)

    def __init__(self, words: tuple[Word, ...], language: str = "en") -> None:
        segments = (TranscriptSegment(words[0].start, words[-1].end, " ".join(w.text for w in words), words),) \
            if words else ()
        self.result = Transcript(language, 1.0, segments)

    def transcribe(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                   config: AsrConfig | None = None) -> Transcript:
        hook("transcribe", 1, 1)
        return self.result


def write_tone_wav(path: Path, seconds: float, rate: int = 16000, channels: int = 1,
                   freq: float = 220.0, amplitude: float = 0.3) -> Path:
    """A small PCM wav with a sine tone (or silence with amplitude 0)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        value = int(amplitude * 32767 * math.sin(2 * math.pi * freq * i / rate))
        frames += value.to_bytes(2, "little", signed=True) * channels
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(bytes(frames))
    return path


@pytest.fixture
def default_config() -> AnalysisConfig:
    return AnalysisConfig()


@pytest.fixture
def tone_wav(tmp_path: Path) -> Path:
    return write_tone_wav(tmp_path / "tone.wav", 2.0)


# The default answer of the fake models: two people, two short turns (segments, words).
FAKE_MEETING = ([SpeakerSegment(0.0, 0.95, "SPEAKER_00"), SpeakerSegment(1.0, 2.0, "SPEAKER_01")],
                words_from_script([(0.1, 0.9, "hello there everyone"), (1.0, 1.9, "yes indeed")]))


@pytest.fixture
def fake_models(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """The one fake-models fixture: ``build_analyzer`` (CLI, eval, in-process batch) and the
    dashboard's job queue get an :class:`Analyzer` whose models are fakes; every stage after
    them (alignment, metrics, storage) is real.

    A test module picks what the fakes answer with ``FAKE_MEETING = (segments, words)``.
    Returns the list of analyzers built (empty: no model was asked for).
    """
    import sys

    import analyzer.pipeline.analysis as analysis

    segments, words = getattr(request.module, "FAKE_MEETING", FAKE_MEETING)
    built: list[object] = []

    def build(config: AnalysisConfig | None = None):
        made = analysis.Analyzer(config or AnalysisConfig(), FakeTranscriber(tuple(words)),
                                 FakeDiarizer(list(segments)))
        built.append(made)
        return made

    monkeypatch.setattr(analysis, "build_analyzer", build)
    jobs = sys.modules.get("dashboard.jobs")
    if jobs is None and request.module.__name__.startswith("tests.dashboard"):
        import dashboard.jobs as jobs
    if jobs is not None:  # the dashboard's queue loads its analyzer through load_analyzer
        monkeypatch.setattr(jobs, "load_analyzer", lambda: build(AnalysisConfig()))
        jobs.job_queue.clear()
    yield built
    if jobs is not None:
        jobs.job_queue.clear()


@pytest.fixture(scope="session")
def real_analyzer():
    """The real pipeline with the pinned models, loaded once for the whole test session."""
    from analyzer.pipeline.analysis import build_analyzer

    return build_analyzer(AnalysisConfig())


@pytest.fixture(scope="session")
def sample_result(real_analyzer):
    """The real analysis of the pyannote two-person sample (computed once per session)."""
    return real_analyzer.analyze_file(SAMPLES / "pyannote-sample" / "sample.wav")


class FakeProsody:
    """Returns fixed voice frames, whatever the audio (records the segments it was given)."""

    def __init__(self, frames: tuple = ()) -> None:
        self.frames = tuple(frames)
        self.segments: tuple = ()

    def extract(self, audio: LoadedAudio, exclusive, *, hook: Hook = null_hook, config=None) -> tuple:
        self.segments = tuple(exclusive)
        hook("prosody", 1, 1)
        return self.frames
