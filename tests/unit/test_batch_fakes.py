"""Fake analyzer factories for batch tests, importable by worker processes and Ray actors.

Batch engines build their analyzer in each worker from a ``"module:function"`` path (the
testing hook ``FLOORSHARE_BATCH_ANALYZER_FACTORY`` in the CLI). These factories return the
real :class:`analyzer.pipeline.analysis.Analyzer` (real decoding, alignment, metrics) over the fake
models of ``tests/conftest.py``. Environment knobs, read in the worker:

- ``FLOORSHARE_TEST_FAKE_DELAY``: seconds each file takes (spread over diarize stage reports).
- a file whose name starts with ``crash`` kills the worker process (``os._exit``) mid-analysis.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from analyzer.core.config import AnalysisConfig
from analyzer.pipeline.analysis import Analyzer
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script

FACTORY = "tests.unit.test_batch_fakes:fake_analyzer"
DELAY_ENV = "FLOORSHARE_TEST_FAKE_DELAY"
SCRIPT = [(0.0, 0.9, "so what do we do next"), (1.0, 1.8, "we ship it today")]


class SlowCrashingDiarizer(FakeDiarizer):
    """A FakeDiarizer that takes ``delay`` seconds and kills its process on ``crash*`` files."""

    def __init__(self, delay: float) -> None:
        super().__init__([seg(0.0, 0.95, "SPEAKER_00"), seg(1.0, 1.9, "SPEAKER_01")])
        self.delay = delay

    def diarize(self, audio, *, hook=None, config=None):
        if Path(audio.recording.path).name.startswith("crash"):
            os._exit(3)
        steps = 5
        for step in range(steps):
            if hook:
                hook("diarize", step, steps)
            time.sleep(self.delay / steps)
        return super().diarize(audio, hook=hook or (lambda *a: None), config=config)


def fake_analyzer(config: AnalysisConfig) -> Analyzer:
    """The analyzer factory worker processes call (see the module docstring)."""
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    return Analyzer(config, FakeTranscriber(words_from_script(SCRIPT)), SlowCrashingDiarizer(delay))


def test_fake_analyzer_runs_the_real_pipeline_on_real_audio(tone_wav: Path) -> None:
    result = fake_analyzer(AnalysisConfig()).analyze_file(tone_wav)
    assert result.recording.sha256 and result.recording.duration == 2.0
    assert [t.speaker for t in result.turns] == ["SPEAKER_00", "SPEAKER_01"]
    assert result.metrics is not None
