"""Far-field rendering of composed meetings: a room, one table microphone, exact dry truth."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analyzer.compose import compose_meeting, load_scenario, meeting_events, scenario_from_dict
from analyzer.compose.room import Room, default_distances, seat_positions
from analyzer.core.config import AnalysisConfig
from analyzer.core.errors import InputFormatError
from analyzer.pipeline.sources import metrics_from_segments

ROOT = Path(__file__).resolve().parents[2]
FARFIELD = sorted((ROOT / "eval" / "scenarios" / "farfield").glob("*.toml"))

ROOMY = {
    "meeting": {"name": "roomy", "verdict": "many_to_many", "seed": 5},
    "room": {"rt60": 0.5, "size": [5.0, 4.0, 2.8], "snr_db": 15},
    "people": {"ana": {"voice": "3080", "distance": 0.8}, "ben": {"voice": "1688", "distance": 1.9}},
    "turns": [{"who": "ana", "seconds": 4}, {"who": "ben", "seconds": 4}],
}


@pytest.fixture(scope="module")
def pair():
    dry = compose_meeting(replace(scenario_from_dict(ROOMY, source="roomy.toml"), room=None))
    wet = compose_meeting(scenario_from_dict(ROOMY, source="roomy.toml"))
    return dry, wet


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-20)


def test_the_room_keeps_the_dry_reference_and_adds_reverberation_and_noise(pair):
    dry, wet = pair
    assert wet.segments == dry.segments and len(wet.samples) == len(dry.samples)
    rate = 16000
    speech = np.zeros(len(wet.samples), bool)
    for s in wet.segments:
        speech[int(s.start * rate):int(s.end * rate)] = True
    last_end = max(s.end for s in wet.segments)
    tail = wet.samples[int(last_end * rate): int((last_end + 0.05) * rate)]
    lead = wet.samples[: int(0.4 * rate)]  # before anyone speaks: noise only
    assert _db(dry.samples[~speech]) < -100  # the dry mix is silent between phrases
    assert _db(tail) > _db(lead) + 2  # reverberation rings on after the last phrase
    snr = _db(wet.samples[speech]) - _db(lead)
    assert 10 <= snr <= 20  # 15 dB asked; speech power includes its own reverberation
    events = meeting_events(wet)
    assert events["room"]["distances"] == {"ana": 0.8, "ben": 1.9} and events["room"]["rt60"] == 0.5


def test_the_far_person_arrives_quieter_than_the_near_one(pair):
    _, wet = pair
    rate = 16000
    level = {}
    for who in ("ana", "ben"):
        mask = np.zeros(len(wet.samples), bool)
        for s in wet.segments:
            if s.speaker == who:
                mask[int(s.start * rate):int(s.end * rate)] = True
        level[who] = _db(wet.samples[mask])
    # reverberant energy is much the same everywhere in the room; the direct path falls with distance
    assert level["ana"] > level["ben"] + 1


def test_seats_are_at_the_asked_distance_from_the_microphone():
    room = Room(rt60=0.4, size=(6.0, 5.0, 3.0))
    seats = seat_positions([0.8, 1.5, 2.2], room, np.random.default_rng(0))
    mic = np.array([3.0, 2.5, 0.75])
    assert [round(float(np.linalg.norm(s - mic)), 2) for s in seats] == [0.8, 1.5, 2.2]
    spread = default_distances(["a", "b", "c", "d"], np.random.default_rng(1))
    assert sorted(spread.values()) == [0.8, 1.27, 1.73, 2.2]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["room"].update(rt60=5), "rt60"),
    (lambda d: d["room"].update(colour="red"), "unknown key"),
    (lambda d: d["people"]["ana"].update(distance=9), "distance"),
    (lambda d: d.pop("room"), "needs a \\[room\\]"),
])
def test_bad_rooms_name_the_file_and_the_problem(change, message):
    data = copy.deepcopy(ROOMY)
    change(data)
    with pytest.raises(InputFormatError, match=message):
        scenario_from_dict(data, source="bad.toml")


@pytest.mark.parametrize("path", FARFIELD, ids=[p.stem for p in FARFIELD])
def test_farfield_scenarios_have_4_to_8_people_about_5_minutes_and_the_verdict(path):
    scenario = load_scenario(path)
    assert scenario.room is not None and 0.3 <= scenario.room.rt60 <= 0.8 and 12 <= scenario.room.snr_db <= 25
    assert 4 <= len(scenario.people) <= 8
    meeting = compose_meeting(replace(scenario, room=None))  # same layout, no rendering: fast
    assert 240 <= meeting.duration <= 400
    config = AnalysisConfig().with_updates(metrics={"attendees": meeting.attendees})
    metrics = metrics_from_segments(meeting.segments, config, duration=meeting.duration)[0]
    assert metrics.verdict.label == scenario.verdict


def test_farfield_set_covers_the_verdicts_and_soft_and_far_people():
    scenarios = [load_scenario(p) for p in FARFIELD]
    assert {s.verdict for s in scenarios} == {"one_to_many", "hub_and_spoke", "many_to_many"}
    people = [p for s in scenarios for p in s.people]
    assert any(p.gain_db <= -4 for p in people) and any((p.distance or 0) >= 2.0 for p in people)


RAISED = sorted((ROOT / "eval" / "scenarios" / "farfield-raised").glob("*.toml"))


@pytest.mark.parametrize("path", RAISED, ids=[p.stem for p in RAISED])
def test_farfield_raised_scenarios_are_their_dry_twin_in_a_room(path):
    """eval/manifests/raised-farfield.toml: the same people, turns, seed and level changes as the dry set."""
    scenario = load_scenario(path)
    dry = load_scenario(ROOT / "eval" / "scenarios" / f"{path.stem.removeprefix('ff_')}.toml")
    assert scenario.room is not None and 0.3 <= scenario.room.rt60 <= 0.8 and 12 <= scenario.room.snr_db <= 25
    assert replace(scenario, room=None, name=dry.name, source=dry.source) == dry
    assert any(step.gain_db >= 6 for step in scenario.steps)  # it has raised voices to find
