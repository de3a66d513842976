"""The pure helpers behind the speed and memory work: pause cuts, the clustering cap,
the thread plan and side-by-side stages, the bench's stage clock (no models)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from analyzer.adapters.clustering_cap import assign_rest, capped, subset_indices
from analyzer.evaluation.bench import StageClock
from analyzer.adapters.pauses import pause_cuts
from analyzer.pipeline.scheduling import ThreadPlan, plan_threads, run_side_by_side

RATE = 16_000


def _speech_with_pauses(seconds: float, pauses_at: list[float], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    samples = (0.3 * rng.standard_normal(int(seconds * RATE))).astype(np.float32)
    for at in pauses_at:
        samples[int(at * RATE):int((at + 0.8) * RATE)] *= 0.001
    return samples


def test_pause_cuts_fall_in_pauses_and_bound_every_piece():
    samples = _speech_with_pauses(100.0, [22.0, 47.5, 71.0, 93.0])
    cuts = pause_cuts(samples, RATE, max_piece_s=30.0, search_s=10.0)
    assert cuts, "a 100 s recording in pieces of 30 s needs cuts"
    bounds = [0, *cuts, len(samples)]
    assert all(0 < b - a <= 30 * RATE for a, b in zip(bounds, bounds[1:]))
    for cut in cuts:  # each cut is inside one of the quiet stretches
        assert any(at * RATE <= cut <= (at + 0.8) * RATE for at in (22.0, 47.5, 71.0, 93.0)), cut / RATE


def test_pause_cuts_leave_short_recordings_whole():
    assert pause_cuts(np.zeros(10 * RATE, dtype=np.float32), RATE, max_piece_s=300.0) == []
    assert pause_cuts(np.zeros(10 * RATE, dtype=np.float32), RATE, max_piece_s=0) == []


def test_cap_leaves_small_inputs_to_the_clustering_itself():
    calls = []

    def cluster(embeddings, *args):
        calls.append(len(embeddings))
        return np.zeros(len(embeddings), dtype=np.int64)

    labels = capped(cluster, 100)(np.ones((50, 4)), 1, 2)
    assert calls == [50] and len(labels) == 50


def test_cap_clusters_a_spread_subset_and_assigns_the_rest_to_the_nearest_centroid():
    rng = np.random.default_rng(1)
    centres = np.eye(3, 8)
    truth = np.tile(np.arange(3), 400)  # speakers alternate through the whole recording
    embeddings = centres[truth] + 0.05 * rng.standard_normal((len(truth), 8))
    seen = []

    def cluster(subset):  # a perfect clustering of what it is given (by nearest centre)
        seen.append(len(subset))
        return np.argmax(subset @ centres.T, axis=1)

    labels = capped(cluster, 300)(embeddings)
    assert seen == [300]
    assert np.array_equal(labels, truth)


def test_subset_spans_the_whole_range():
    keep = subset_indices(10_000, 101)
    assert keep[0] == 0 and keep[-1] == 9_999 and len(keep) == 101
    assert np.all(np.diff(keep) > 0)


def test_assign_rest_keeps_the_subset_labels():
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.2, 0.8]])
    labels = assign_rest(embeddings, np.array([0, 1]), np.array([5, 7]))
    assert labels.tolist() == [5, 7, 5, 7]


def test_thread_plan_never_oversubscribes():
    for cores in (2, 3, 4, 8):
        plan = plan_threads(cores)
        assert plan.overlap and plan.asr_threads + plan.diarize_shared == cores and plan.diarize_alone == cores
    assert not plan_threads(1).overlap
    assert not plan_threads(4, overlap=False).overlap
    assert not plan_threads(4, device="cuda").overlap


def test_a_batch_workers_thread_share_is_respected(monkeypatch):
    from analyzer.pipeline.scheduling import available_cores

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what a batch worker of two on two cores gets
    assert available_cores() == 1 and not plan_threads().overlap
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert available_cores() >= 1


def test_side_by_side_widens_diarization_once_transcription_ends():
    transcribed, set_to = threading.Event(), []

    def transcribe(tick):
        tick()
        transcribed.set()
        return "words"

    def diarize(tick):
        assert transcribed.wait(5)
        for _ in range(200):  # the worker's done flag is set right after it returns
            tick()
            if len(set_to) > 1:
                break
            threading.Event().wait(0.005)
        return "speakers"

    result = run_side_by_side(diarize, transcribe, set_to.append, ThreadPlan(True, 1, 1, 2))
    assert result == ("speakers", "words")
    assert set_to[:2] == [1, 2]


def test_side_by_side_raises_either_stages_error():
    def fails(tick):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_side_by_side(lambda tick: "speakers", fails, None, ThreadPlan(True, 1, 1, 2))
    with pytest.raises(ValueError, match="boom"):
        run_side_by_side(fails, lambda tick: "words", None, ThreadPlan(True, 1, 1, 2))


def test_stage_clock_gives_side_by_side_stages_their_own_spans():
    clock = StageClock()
    clock.first = {"decode": 10.0, "diarize": 11.0, "transcribe": 11.01, "align": 15.0, "metrics": 15.5}
    clock.last = {"decode": 10.9, "diarize": 14.9, "transcribe": 13.0, "align": 15.4, "metrics": 15.9}
    durations = clock.durations(started=9.5, ended=16.0)
    assert durations["diarization"] == pytest.approx(3.9) and durations["transcription"] == pytest.approx(1.99)
    assert durations["decode"] == pytest.approx(1.5) and clock.overlapped()
