"""Identification scoring across meetings (no models): correct identification of speech time, false
acceptance of a stranger, the calibrated threshold, and the series built from cached meetings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.evaluation.identification import (
    IdentificationPlan, MeetingRun, calibrate, meeting_specs, name_labels, score_series, series_pairs, totals,
)

RNG = np.random.default_rng(3)
VOICE = {p: RNG.normal(size=16) for p in ("v1", "v2", "v3", "v4")}
PLAN = IdentificationPlan(name="t", voices=Path("."), calibrate=("1", "2", "3", "4"), report=())


def run(id_, half, people, labels, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    reference, exclusive, t = [], [], 0.0
    for person, label in zip(people, labels):
        reference.append((t, t + 10.0, person))
        exclusive.append((t + 0.2, t + 10.0, label))
        t += 11.0
    emb = {label: tuple(VOICE[p] + noise * rng.normal(size=16)) for p, label in zip(people, labels)}
    return MeetingRun(id_, half, tuple(people), tuple(reference), tuple(exclusive), emb)


def test_second_meeting_scores_known_people_and_the_stranger():
    first = run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], seed=1)
    second = run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], seed=2)  # v4 is a stranger
    assert name_labels(second) == {"S0": "v2", "S1": "v1", "S2": "v4"}
    good = score_series(first, second, threshold=0.6, min_speech_s=3.0)
    assert good.known_s == 20.0 and good.correct_s == pytest.approx(19.6)  # 0.2 s of each was missed
    assert good.stranger_s == 10.0 and good.accepted_s == 0.0 and good.strangers_accepted == 0
    lax = score_series(first, second, threshold=-1.0, min_speech_s=3.0)  # anyone is someone
    assert lax.accepted_s == pytest.approx(9.8) and lax.strangers_accepted == 1  # v4 takes the free v3
    figures = totals([good, lax])
    assert figures["false_acceptance"] == pytest.approx(9.8 / 20.0)
    assert figures["correct_identification"] == pytest.approx(39.2 / 40.0)


def test_calibration_picks_a_threshold_between_strangers_and_known_voices():
    runs = [run("a0", "a", ["v1", "v2", "v3"], ["S0", "S1", "S2"], seed=1),
            run("b0", "b", ["v2", "v1", "v4"], ["S0", "S1", "S2"], seed=2),
            run("b1", "b", ["v3", "v4", "v1"], ["S0", "S1", "S2"], seed=3)]
    pairs = series_pairs(runs, people=3)
    assert {(a.id, b.id) for a, b in pairs} == {("a0", "b0"), ("a0", "b1"), ("b0", "a0"), ("b1", "a0")}
    threshold, sweep = calibrate(pairs, PLAN)
    at = next(s for s in sweep if s["threshold"] == threshold)
    assert at["false_acceptance"] == 0.0 and at["correct_identification"] > 0.95
    assert 0.1 < threshold < 0.9


def test_meeting_specs_use_both_halves_and_every_reader():
    specs = meeting_specs(PLAN, PLAN.calibrate, "cal")
    assert [s["half"] for s in specs] == ["a"] * 4 + ["b"] * 4
    assert all(len(s["voices"]) == 3 for s in specs) and len({s["id"] for s in specs}) == 8
    assert specs == meeting_specs(PLAN, PLAN.calibrate, "cal")  # deterministic
