"""Bounded fuzzing of every reader of user files: each failure must be a typed AnalyzerError.

Targets: the audio loader and prober (random bytes, mutated real files, random WAV
headers), the RTTM reader, the reference transcript readers (STM, text), the config
reader (TOML text and ``AnalysisConfig.from_dict``) and the scenario reader.
Runs are derandomised and bounded (``FLOORSHARE_FUZZ_EXAMPLES``, default 120 per
target) so CI is stable and quick; set ``FLOORSHARE_FUZZ_RANDOM=1`` and a larger
example count for a longer, exploring campaign.
"""

from __future__ import annotations

import math
import os
import struct
import uuid
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analyzer.adapters.audio import AUDIO_EXTENSIONS, load_audio, probe_audio
from analyzer.core.config import AnalysisConfig, load_config
from analyzer.core.errors import AnalyzerError
from tests.hardening.conftest import encode_audio, tone, write_wav

EXAMPLES = int(os.environ.get("FLOORSHARE_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=os.environ.get("FLOORSHARE_FUZZ_RANDOM") != "1",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, data: bytes | str, suffix: str) -> Path:
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


def assert_loads_or_typed_error(path: Path) -> None:
    try:
        audio = load_audio(path, memory_check="decode")
    except AnalyzerError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
        assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max(initial=0) <= 1.0
    try:
        duration, rate, channels = probe_audio(path)
    except AnalyzerError:
        pass
    else:
        assert duration >= 0 and rate >= 0 and channels >= 0
    path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------ audio

@FUZZ
@given(data=st.binary(min_size=1, max_size=4096), suffix=st.sampled_from(AUDIO_EXTENSIONS))
def test_audio_random_bytes(scratch: Path, data: bytes, suffix: str) -> None:
    assert_loads_or_typed_error(write(scratch, data, suffix))


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("seeds")
    sound = tone(0.8, 48000, freq=330)
    paths = [write_wav(d / "a.wav", tone(0.8)),
             encode_audio(d / "a.mp3", sound, 48000, "stereo", "libmp3lame"),
             encode_audio(d / "a.ogg", sound, 48000, "mono", "libopus"),
             encode_audio(d / "a.flac", sound, 48000, "5.1", "flac"),
             encode_audio(d / "a.m4a", sound, 48000, "stereo", "aac")]
    return {p.suffix: p.read_bytes() for p in paths}


@FUZZ
@given(which=st.sampled_from([".wav", ".mp3", ".ogg", ".flac", ".m4a"]),
       edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=40),
       cut=st.one_of(st.none(), st.floats(0, 1)),
       junk=st.binary(max_size=64))
def test_audio_mutated_real_files(scratch: Path, real_files, which, edits, cut, junk) -> None:
    data = bytearray(real_files[which])
    for where, value in edits:
        data[min(len(data) - 1, int(where * len(data)))] = value
    if cut is not None:
        data = data[:max(1, int(cut * len(data)))]
    if junk:
        position = len(junk) * 7 % len(data)
        data[position:position] = junk
    assert_loads_or_typed_error(write(scratch, bytes(data), which))


@FUZZ
@given(tag=st.sampled_from([1, 3, 6, 7, 0x11, 0xFFFE, 0, 0x5555]), channels=st.integers(0, 70000),
       rate=st.one_of(st.sampled_from([0, 1, 8000, 16000, 48000, 384000]), st.integers(0, 2**32 - 1)),
       bits=st.sampled_from([0, 1, 8, 12, 16, 24, 32, 64, 65535]), declared=st.integers(0, 2**32 - 1),
       payload=st.binary(max_size=2048))
def test_audio_random_wav_headers(scratch: Path, tag, channels, rate, bits, declared, payload) -> None:
    block = max(1, channels * bits // 8) & 0xFFFF
    fmt = struct.pack("<HHIIHH", tag, channels & 0xFFFF, rate, (rate * block) & 0xFFFFFFFF, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", declared) + payload
    assert_loads_or_typed_error(write(scratch, b"RIFF" + struct.pack("<I", len(body)) + body, ".wav"))


# ------------------------------------------------------------------------------ text formats

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(["nan", "inf", "-inf", "1e309", "-0", "1_0", "0x10", "", "1.5.2", "١٢"]),
                    st.integers(-10**20, 10**20).map(str))
TOKENS = st.one_of(NUMBERS, st.sampled_from(["SPEAKER", "<NA>", "<o,f0,male>", ";;", "#", "|", "\t", "A", "B"]),
                   st.text(max_size=12))


def random_lines(first: list[str]) -> st.SearchStrategy[str]:
    line = st.lists(st.one_of(st.sampled_from(first), TOKENS), max_size=12).map(" ".join)
    return st.lists(line, max_size=15).map("\n".join)


@FUZZ
@given(text=random_lines(["SPEAKER", "SPKR-INFO", "# comment"]), raw=st.one_of(st.none(), st.binary(max_size=300)))
def test_rttm_reader(scratch: Path, text: str, raw: bytes | None) -> None:
    from analyzer.formats.rttm import exclusive_from_overlapping, read_rttm

    path = write(scratch, raw if raw is not None else text, ".rttm")
    try:
        found = read_rttm(path)
    except AnalyzerError:
        return
    for segments in found.values():
        for s in segments:
            assert math.isfinite(s.start) and math.isfinite(s.end) and 0 <= s.start < s.end
        exclusive = exclusive_from_overlapping(segments)
        assert all(a.end <= b.start + 1e-9 for a, b in zip(exclusive, exclusive[1:]))


@FUZZ
@given(text=random_lines(["meeting 1 A", "meeting A 1", ";;"]), raw=st.one_of(st.none(), st.binary(max_size=300)),
       suffix=st.sampled_from([".stm", ".txt"]), select=st.one_of(st.none(), st.text(max_size=4)))
def test_transcript_readers(scratch: Path, text: str, raw, suffix: str, select) -> None:
    from analyzer.formats.references import read_transcript

    path = write(scratch, raw if raw is not None else text, suffix)
    try:
        reference = read_transcript(path, select=select)
    except AnalyzerError:
        return
    for segment in reference.segments:
        assert isinstance(segment.text, str)
        if segment.start is not None:
            assert math.isfinite(segment.start) and segment.start <= segment.end


# ------------------------------------------------------------------------------ config

SECTION_KEYS = {name: [f.name for f in fields(type(getattr(AnalysisConfig(), name)))]
                for name in ("asr", "diarization", "alignment", "metrics")}
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=8), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
SECTIONS = st.sampled_from(list(SECTION_KEYS)).flatmap(lambda name: st.tuples(
    st.just(name), st.one_of(st.dictionaries(st.sampled_from(SECTION_KEYS[name] + ["bogus"]), SCALARS, max_size=4),
                             SCALARS)))
CONFIGS = st.one_of(
    st.lists(SECTIONS, max_size=4).map(dict),
    st.dictionaries(st.sampled_from(["device", "directives_language", "asr", "other"]), SCALARS, max_size=3))


def assert_typed_config(config: AnalysisConfig) -> None:
    """Every value has the type its default has (so a bad value fails here, not deep in a model)."""
    for section in ("asr", "diarization", "alignment", "metrics"):
        default, value = getattr(AnalysisConfig(), section), getattr(config, section)
        for f in fields(default):
            given_value, default_value = getattr(value, f.name), getattr(default, f.name)
            if default_value is None or given_value is None:
                continue
            expected = float if isinstance(default_value, float) else type(default_value)
            assert isinstance(given_value, expected) or (expected is float and isinstance(given_value, int)), \
                (section, f.name, given_value)
    assert config.device in ("auto", "cpu", "cuda"), config.device


@FUZZ
@given(data=CONFIGS)
@example(data={"metrics": {"attendees": 5}})  # found by this fuzzer: TypeError
@example(data={"asr": {"beam_size": "five"}})  # found by this fuzzer: accepted, fails later in faster-whisper
@example(data={"diarization": {"num_speakers": "2"}})
@example(data={"device": "tpu"})
def test_config_from_dict(data: dict) -> None:
    try:
        config = AnalysisConfig.from_dict(data)
    except AnalyzerError:
        return
    assert_typed_config(config)
    config.config_hash()


@FUZZ
@given(text=st.one_of(st.text(max_size=300), random_lines(["[asr]", "[metrics]", "model =", "beam_size = 5",
                                                           "attendees = [", "]", "=", '"x"'])))
def test_config_file(scratch: Path, text: str) -> None:
    try:
        config = load_config(write(scratch, text, ".toml"))
    except AnalyzerError:
        return
    assert_typed_config(config)


def test_config_file_that_is_a_folder(scratch: Path) -> None:
    with pytest.raises(AnalyzerError):
        load_config(scratch)


# ------------------------------------------------------------------------------ scenarios

STEP = st.dictionaries(st.sampled_from(["who", "kind", "seconds", "gap", "overlap", "at", "bogus"]),
                       st.one_of(SCALARS, st.sampled_from(["ana", "ben", "turn", "backchannel", "successful"])),
                       max_size=5)
SCENARIOS = st.fixed_dictionaries({}, optional={
    "meeting": st.one_of(SCALARS, st.dictionaries(
        st.sampled_from(["name", "verdict", "seed", "gap_s", "noise_dbfs", "repeat", "voices", "x"]),
        st.one_of(SCALARS, st.sampled_from(["one_to_many", "many_to_many"])), max_size=5)),
    "people": st.one_of(SCALARS, st.dictionaries(st.sampled_from(["ana", "ben"]), st.one_of(SCALARS, st.dictionaries(
        st.sampled_from(["voice", "gain_db", "silent", "x"]), SCALARS, max_size=3)), max_size=2)),
    "turns": st.one_of(SCALARS, st.lists(st.one_of(STEP, SCALARS), max_size=4)),
})


VALID_SCENARIO = {"meeting": {"verdict": "one_to_many"}, "people": {"ana": {"voice": "1688"}},
                  "turns": [{"who": "ana", "seconds": 2}]}


def scenario_with(section: str, **changes) -> dict:
    data = {key: (dict(value) if isinstance(value, dict) else [dict(v) for v in value])
            for key, value in VALID_SCENARIO.items()}
    if section == "turns":
        data["turns"][0].update(changes)
    else:
        data[section].update(changes)
    return data


@FUZZ
@given(data=SCENARIOS)
@example(data={"meeting": None})  # found by this fuzzer: TypeError
@example(data=scenario_with("meeting", repeat="x"))  # ValueError
@example(data=scenario_with("meeting", gap_s=5))  # TypeError
@example(data=scenario_with("meeting", seed=[1]))  # TypeError
@example(data=scenario_with("turns", seconds="abc"))  # ValueError
@example(data={**VALID_SCENARIO, "people": [1]})  # AttributeError
def test_scenario_from_dict(data: dict) -> None:
    from analyzer.compose import scenario_from_dict

    try:
        scenario = scenario_from_dict(data)
    except AnalyzerError:
        return
    assert scenario.steps and all(step.seconds > 0 for step in scenario.steps)


@FUZZ
@given(text=random_lines(["[meeting]", "[people.ana]", "[[turns]]", 'verdict = "one_to_many"', "voice =",
                          'who = "ana"', "seconds =", "repeat =", "gap_s ="]))
def test_scenario_file(scratch: Path, text: str) -> None:
    from analyzer.compose import load_scenario

    try:
        load_scenario(write(scratch, text, ".toml"))
    except AnalyzerError:
        pass
