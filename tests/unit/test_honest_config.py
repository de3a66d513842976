"""The config stored with a result is the one that ran: load-time settings need a new analyzer."""

from __future__ import annotations

import sys
import types
from dataclasses import asdict

import pytest

import analyzer.pipeline.analysis as analysis
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import ConfigError
from tests.conftest import FakeDiarizer, FakeTranscriber, seg, words_from_script, write_tone_wav

WORDS = words_from_script([(0.2, 4.8, "what do you think we should do"), (5.5, 11.0, "send the report today")])
SEGMENTS = [seg(0.0, 5.2, "SPEAKER_00"), seg(5.4, 11.5, "SPEAKER_01")]


class Remembering:
    """Built like the real adapters (config, device); remembers what it was built and called with."""

    built: list

    def remember(self, config) -> None:
        self.config, self.calls = config, []
        type(self).built.append(config)


class LoadedDiarizer(Remembering, FakeDiarizer):
    built: list = []

    def __init__(self, config, device="auto", onnx=True) -> None:
        FakeDiarizer.__init__(self, SEGMENTS)
        self.remember(config)

    def diarize(self, audio, *, hook, config=None):
        self.calls.append(config)
        return super().diarize(audio, hook=hook, config=config)


class LoadedTranscriber(Remembering, FakeTranscriber):
    built: list = []

    def __init__(self, config, device="cpu") -> None:
        FakeTranscriber.__init__(self, WORDS)
        self.remember(config)

    def transcribe(self, audio, *, hook, config=None):
        self.calls.append(config)
        return super().transcribe(audio, hook=hook, config=config)


@pytest.fixture
def fake_adapters(monkeypatch: pytest.MonkeyPatch):
    """build_analyzer with fake adapter modules (no torch, no models) and empty caches."""
    diarize = types.ModuleType("analyzer.adapters.diarize")
    diarize.PyannoteDiarizer = LoadedDiarizer
    transcribe = types.ModuleType("analyzer.adapters.transcribe")
    transcribe.FasterWhisperTranscriber, transcribe.HUB_SIZES = LoadedTranscriber, ()
    monkeypatch.setitem(sys.modules, "analyzer.adapters.diarize", diarize)
    monkeypatch.setitem(sys.modules, "analyzer.adapters.transcribe", transcribe)
    monkeypatch.setattr(analysis, "_DIARIZERS", {})
    monkeypatch.setattr(analysis, "_TRANSCRIBERS", {})
    monkeypatch.setattr(analysis, "_is_manifest_model", lambda name: False)
    LoadedDiarizer.built, LoadedTranscriber.built = [], []
    return LoadedDiarizer.built, LoadedTranscriber.built


def test_a_changed_load_time_setting_gets_new_models(fake_adapters):
    diarizers, transcribers = fake_adapters
    first = analysis.build_analyzer(AnalysisConfig())
    finer = AnalysisConfig().with_updates(diarization={"segmentation_step": 0.2})
    second = analysis.build_analyzer(finer)
    per_call = analysis.build_analyzer(AnalysisConfig().with_updates(diarization={"num_speakers": 2}))
    assert [c.segmentation_step for c in diarizers] == [0.1, 0.2]
    assert len(transcribers) == 1 and second.transcriber is first.transcriber
    assert per_call.diarizer is first.diarizer  # only a per-call setting changed: the same models
    assert second.diarizer.config.segmentation_step == 0.2


def test_running_a_loaded_analyzer_with_another_load_time_setting_is_an_error(fake_adapters, tmp_path):
    wav = write_tone_wav(tmp_path / "m.wav", 12.0)
    loaded = analysis.build_analyzer(AnalysisConfig())
    other = AnalysisConfig().with_updates(diarization={"segmentation_step": 0.2}, asr={"model": "base"})
    with pytest.raises(ConfigError) as error:
        loaded.analyze_file(wav, config=other)
    assert "diarization.segmentation_step 0.1 -> 0.2" in str(error.value)
    assert "asr.model 'tiny.en' -> 'base'" in str(error.value)
    assert loaded.diarizer.calls == []  # nothing ran


def test_the_stored_config_is_the_one_that_ran(fake_adapters, tmp_path):
    wav = write_tone_wav(tmp_path / "m.wav", 12.0)
    built_with = AnalysisConfig().with_updates(diarization={"segmentation_step": 0.2})
    analyzer = analysis.build_analyzer(built_with)
    per_call = built_with.with_updates(diarization={"num_speakers": 2, "clustering_threshold": 0.6},
                                       asr={"beam_size": 3})
    result = analyzer.analyze_file(wav, config=per_call)
    assert result.config == per_call.to_dict()
    assert analyzer.diarizer.calls == [per_call.diarization]
    assert analyzer.transcriber.calls == [per_call.asr]
    ran = {"asr.model": analyzer.transcriber.config.model,
           "diarization.segmentation_step": analyzer.diarizer.config.segmentation_step}
    assert ran == {"asr.model": result.config["asr"]["model"],
                   "diarization.segmentation_step": result.config["diarization"]["segmentation_step"]}
    assert asdict(analyzer.diarizer.config)["segmentation_batch_size"] == result.config["diarization"][
        "segmentation_batch_size"]
