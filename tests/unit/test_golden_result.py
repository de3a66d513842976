"""Golden result.json of the pyannote sample, from its stored diarization and words (pure, fast).

``tests/data/golden/pyannote-sample.inputs.json`` holds what the real models answered for
``samples/pyannote-sample/sample.wav`` (the diarization with both tracks and each speaker's
confidence, the transcript with its words). The real pipeline runs on them with models that replay those answers, and the whole
result.json must equal ``pyannote-sample.result.json``. Any change to alignment, turns, directives,
metrics, the verdict or the JSON shape shows here; regenerate on purpose with
``python -m tests.unit.test_golden_result --write`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from analyzer.adapters.audio import LoadedAudio
from analyzer.core.config import AnalysisConfig
from analyzer.core.schema import (
    Diarization, ModelRef, Provenance, Recording, SessionResult, SpeakerConfidence, SpeakerSegment, Transcript,
    TranscriptSegment, Word,
)
from analyzer.formats.serialize import result_to_dict
from analyzer.pipeline.analysis import Analyzer

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
INPUTS, EXPECTED = GOLDEN / "pyannote-sample.inputs.json", GOLDEN / "pyannote-sample.result.json"
PROVENANCE = Provenance(analyzer_version="golden", models=(ModelRef("stored", "replay", "tests", "0" * 64),),
                        device="cpu", created_at="2026-12-01T00:00:00+00:00")


class Replay:
    """Models that answer with the stored diarization and transcript."""

    models = PROVENANCE.models
    device = "cpu"

    def __init__(self, diarization: Diarization, transcript: Transcript) -> None:
        self.diarization, self.transcript = diarization, transcript

    def diarize(self, audio, *, hook, config=None) -> Diarization:
        return self.diarization

    def transcribe(self, audio, *, hook, config=None) -> Transcript:
        return self.transcript


def _segments(items) -> tuple[SpeakerSegment, ...]:
    return tuple(SpeakerSegment(s["start"], s["end"], s["speaker"]) for s in items)


def golden_result() -> SessionResult:
    data = json.loads(INPUTS.read_text(encoding="utf-8"))
    recording = Recording(**data["recording"])
    diarization = Diarization(_segments(data["diarization"]["segments"]), _segments(data["diarization"]["exclusive"]),
                              tuple(data["diarization"]["speakers"]),
                              confidence=tuple(SpeakerConfidence(**c) for c in data["diarization"].get("confidence", ())))
    transcript = Transcript(data["transcript"]["language"], data["transcript"]["language_probability"], tuple(
        TranscriptSegment(s["start"], s["end"], s["text"], tuple(Word(**w) for w in s["words"]))
        for s in data["transcript"]["segments"]))
    models = Replay(diarization, transcript)
    audio = LoadedAudio(recording=recording, samples=np.zeros(0, dtype=np.float32))
    result = Analyzer(AnalysisConfig(), models, models).analyze_audio(audio)
    return replace(result, provenance=PROVENANCE)


def test_the_pyannote_sample_gives_the_golden_result_json():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(result_to_dict(golden_result())))
    assert actual == expected
    assert expected["verdict"]["label"] and expected["speakers"] and expected["turns"]


if __name__ == "__main__" and "--write" in sys.argv:
    EXPECTED.write_text(json.dumps(result_to_dict(golden_result()), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {EXPECTED}")
