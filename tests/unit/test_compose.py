"""The meeting composer: its reference (RTTM, events, verdict) matches the audio it writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analyzer.adapters.audio import load_audio
from analyzer.compose import (
    DEFAULT_VOICES, compose_meeting, load_scenario, load_voice, scenario_from_dict, synthetic_scenario,
    write_meeting,
)
from analyzer.core.config import MetricsConfig
from analyzer.core.errors import InputFormatError
from analyzer.core.schema import Diarization
from analyzer.formats.rttm import exclusive_from_overlapping, read_rttm
from analyzer.metrics import compute_metrics, turns_from_segments

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "eval" / "scenarios").glob("*.toml"))

SMALL = {
    "meeting": {"name": "small", "verdict": "many_to_many", "seed": 3},
    "people": {"ana": {"voice": "3080"}, "ben": {"voice": "1688", "gain_db": -6}, "cleo": {"voice": "533"},
               "dan": {"silent": True}},
    "turns": [
        {"who": "ana", "seconds": 8},
        {"who": "cleo", "kind": "backchannel", "at": 2},
        {"who": "ben", "kind": "successful", "seconds": 6},
        {"who": "cleo", "kind": "unsuccessful", "at": 1.5},
        {"who": "cleo", "kind": "silent", "seconds": 5},
        {"who": "ana", "seconds": 5},
        {"who": "ben", "kind": "cooperative", "seconds": 4},
    ],
}


@pytest.fixture(scope="module")
def small():
    return compose_meeting(scenario_from_dict(SMALL, source="small.toml"))


def frame_db(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    """10 ms frame levels (dBFS) between two times."""
    piece = samples[int(start * 16000): int(end * 16000)]
    frames = len(piece) // 160
    power = np.mean(piece[: frames * 160].reshape(frames, 160).astype(np.float64) ** 2, axis=1)
    return 10 * np.log10(power + 1e-20)


def test_declared_speech_has_energy_and_everything_else_is_silent(small):
    for seg in small.segments:  # each phrase is declared with a 50 ms margin on each side
        levels = frame_db(small.samples, seg.start + 0.05, seg.end - 0.05)
        assert np.mean(levels > -50) > 0.6, seg
    speech = np.zeros(len(small.samples), dtype=bool)
    for seg in small.segments:  # RTTM times have millisecond resolution: allow 1 ms (16 samples)
        speech[max(0, int(seg.start * 16000) - 16): int(seg.end * 16000) + 16] = True
    outside = small.samples[~speech]
    assert len(outside) > 16000  # there are real gaps to check
    assert np.max(np.abs(outside)) < 1e-5  # digital silence


def test_written_files_agree_with_each_other(small, tmp_path):
    files = write_meeting(small, tmp_path)
    audio = load_audio(files.audio)
    assert audio.duration == pytest.approx(small.duration, abs=0.01)
    written = read_rttm(files.rttm)["small"]
    assert [(s.speaker, s.start, round(s.end, 3)) for s in written] == \
        [(s.speaker, s.start, s.end) for s in small.segments]
    events = json.loads(files.events.read_text())
    assert events["verdict"] == "many_to_many"
    assert events["silent_attendees"] == ["dan"]
    assert [e["type"] for e in events["interruptions"]] == ["successful", "unsuccessful", "silent", "cooperative"]
    assert len(events["backchannels"]) == 1


def _spans(meeting, speaker):
    return [s for s in meeting.segments if s.speaker == speaker]


def test_interruptions_are_placed_as_their_type_says(small):
    by_type = {i.type: i for i in small.interruptions}
    successful = by_type["successful"]
    ana_end = max(s.end for s in _spans(small, "ana") if s.start < successful.time)
    assert ana_end - successful.time == pytest.approx(0.8, abs=0.01)  # holder stops 0.8 s after the onset
    silent = by_type["silent"]
    ben_end = max(s.end for s in _spans(small, "ben") if s.start < silent.time)
    assert silent.time - ben_end == pytest.approx(0.15, abs=0.01) and silent.overlap == 0
    unsuccessful = by_type["unsuccessful"]
    ben = _spans(small, "ben")
    assert ben[0].start < unsuccessful.time and unsuccessful.time + unsuccessful.overlap < \
        max(s.end for s in ben if s.start < silent.time)
    cooperative = by_type["cooperative"]
    assert cooperative.overlap == pytest.approx(0.3, abs=0.01)
    backchannel = small.backchannels[0]
    assert backchannel.duration <= 1.0 and backchannel.listener == "ana"


def test_voices_are_levelled_then_given_their_gain():
    plain = load_voice(DEFAULT_VOICES, "1688")
    quiet = load_voice(DEFAULT_VOICES, "1688", gain_db=-6)
    level = 20 * np.log10(np.sqrt(np.mean(np.concatenate(plain.phrases).astype(np.float64) ** 2)))
    assert level == pytest.approx(-23, abs=0.1)
    ratio = np.sqrt(np.mean(np.concatenate(quiet.phrases) ** 2) / np.mean(np.concatenate(plain.phrases) ** 2))
    assert 20 * np.log10(ratio) == pytest.approx(-6, abs=0.01)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_are_2_to_10_minutes_and_their_reference_gives_the_verdict(path):
    meeting = compose_meeting(load_scenario(path))
    assert 120 <= meeting.duration <= 600
    exclusive = exclusive_from_overlapping(meeting.segments)
    diarization = Diarization(meeting.segments, exclusive, tuple(sorted({s.speaker for s in exclusive})))
    config = MetricsConfig(attendees=meeting.attendees)
    metrics = compute_metrics(diarization=diarization, turns=turns_from_segments(exclusive, 1.0), words=(),
                              directives=(), duration=meeting.duration, config=config)
    assert metrics.verdict.label == meeting.scenario.verdict


def test_the_six_shipped_scenarios_cover_the_issue():
    names = {p.stem for p in SCENARIOS}
    assert {"lecture", "chair", "balanced4", "dialogue", "heated", "six_silent"} <= names
    heated = compose_meeting(load_scenario(ROOT / "eval/scenarios/heated.toml"))
    assert {i.type for i in heated.interruptions} == {"successful", "unsuccessful", "cooperative", "silent"}
    six = load_scenario(ROOT / "eval/scenarios/six_silent.toml")
    assert len(six.people) == 6 and sum(p.silent for p in six.people) == 1


def test_synthetic_meeting_length_is_close_to_the_request():
    meeting = compose_meeting(synthetic_scenario(2))
    assert 100 <= meeting.duration <= 160
    assert {i.type for i in meeting.interruptions} >= {"successful", "cooperative", "silent"}


@pytest.mark.parametrize("change, message", [
    ({"meeting": {"verdict": "chaos"}}, "verdict 'chaos'"),
    ({"turns": [{"who": "zoe", "seconds": 3}]}, "'zoe' is not declared"),
    ({"turns": [{"who": "dan", "seconds": 3}]}, "silent attendee"),
    ({"turns": [{"who": "ana", "seconds": 3, "kind": "shout"}]}, "kind 'shout'"),
    ({"turns": [{"who": "ana", "seconds": 3, "colour": "red"}]}, "unknown key(s) colour"),
    ({"turns": [{"who": "ana", "seconds": 3}, {"who": "ben", "kind": "backchannel", "at": 30}]}, "does not fit"),
])
def test_bad_scenarios_name_the_file_and_the_problem(change, message):
    data = {**SMALL, **{k: ({**SMALL[k], **v} if k == "meeting" else v) for k, v in change.items()}}
    with pytest.raises(InputFormatError, match="bad.toml") as info:
        compose_meeting(scenario_from_dict(data, source="bad.toml"))
    assert message in str(info.value)


def test_missing_voice_lists_the_available_ones(tmp_path):
    data = {**SMALL, "people": {**SMALL["people"], "ana": {"voice": "9999"}}}
    with pytest.raises(InputFormatError, match="1688"):
        compose_meeting(scenario_from_dict(data, source="x.toml"))


def test_invalid_toml_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[meeting\nname = 1\n")
    with pytest.raises(InputFormatError, match="bad.toml: not a valid TOML scenario"):
        load_scenario(bad)


def test_the_same_scenario_composes_the_same_audio():
    first = compose_meeting(scenario_from_dict(SMALL, source="a.toml"))
    second = compose_meeting(scenario_from_dict(SMALL, source="a.toml"))
    assert np.array_equal(first.samples, second.samples) and first.segments == second.segments


@pytest.mark.parametrize("name", ["heated", "six_silent", "dialogue"])
def test_metrics_on_the_reference_find_every_overlap_interruption_with_its_type(name):
    from analyzer.evaluation.matching import match_interruptions

    meeting = compose_meeting(load_scenario(ROOT / "eval" / "scenarios" / f"{name}.toml"))
    exclusive = exclusive_from_overlapping(meeting.segments)
    diarization = Diarization(meeting.segments, exclusive, tuple(sorted({s.speaker for s in exclusive})))
    metrics = compute_metrics(diarization=diarization, turns=turns_from_segments(exclusive, 1.0), words=(),
                              directives=(), duration=meeting.duration,
                              config=MetricsConfig(attendees=meeting.attendees))
    overlapping = [i for i in meeting.interruptions if i.type != "silent"]  # silent ones need words
    counts = match_interruptions(overlapping, metrics.interruptions)
    for kind in ("successful", "unsuccessful", "cooperative"):
        assert counts[kind].matched == counts[kind].reference == counts[kind].system, (kind, counts[kind])
