"""Speaker clustering on synthetic chunk features (pure numpy: no model)."""

import numpy as np
import pytest

from analyzer.adapters.clustering import (
    ChunkFeatures, ClusteringParams, cluster_chunks, crop_segments, training_mask,
)
from analyzer.core.schema import SpeakerSegment

FRAMES = 50


def _people(count: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(count, dim))


def _features(script: list[list[tuple[int, int]]], people: np.ndarray, noise: float = 0.15, seed: int = 1):
    """script[c] = [(person, active frames), ...] for each local speaker of chunk c (up to 3)."""
    rng = np.random.default_rng(seed)
    chunks = len(script)
    emb = np.full((chunks, 3, people.shape[1]), np.nan)
    seg = np.zeros((chunks, FRAMES, 3))
    for c, locals_ in enumerate(script):
        start = 0
        for s, (person, frames) in enumerate(locals_):
            emb[c, s] = people[person] + noise * rng.normal(size=people.shape[1])
            seg[c, start:start + frames, s] = 1
            start += frames
    return emb, seg


def _truth(script, hard):
    """person -> set of clusters it was given."""
    given: dict[int, set] = {}
    for c, locals_ in enumerate(script):
        for s, (person, _) in enumerate(locals_):
            given.setdefault(person, set()).add(int(hard[c, s]))
    return given


def _meeting(people_count: int, chunks: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    script = []
    for _ in range(chunks):
        a, b = rng.choice(people_count, size=2, replace=False)
        script.append([(int(a), 30), (int(b), 20)])
    return script


@pytest.mark.parametrize("method", ["agglomerative", "spectral"])
def test_separated_people_are_counted_and_kept_apart(method):
    people = _people(4)
    script = _meeting(4, 60)
    emb, seg = _features(script, people)
    clusters = cluster_chunks(emb, seg, ClusteringParams(method=method, min_cluster_size=4))
    assert clusters.centroids.shape[0] == 4
    given = _truth(script, clusters.hard)
    assert all(len(v) == 1 for v in given.values())
    assert len({next(iter(v)) for v in given.values()}) == 4
    assert all(q.confidence > 0.8 for q in clusters.quality)


@pytest.mark.parametrize("method", ["agglomerative", "spectral"])
def test_a_given_count_is_respected(method):
    people = _people(4)
    emb, seg = _features(_meeting(4, 60), people)
    for k in (2, 3, 5):
        clusters = cluster_chunks(emb, seg, ClusteringParams(method=method, min_cluster_size=2), num_clusters=k)
        assert clusters.centroids.shape[0] == k


def test_two_local_speakers_of_one_chunk_never_share_a_cluster():
    people = _people(2)
    people[1] = people[0] + 0.05 * people[1]  # nearly the same voice
    script = [[(0, 25), (1, 25)] for _ in range(20)]
    emb, seg = _features(script, people, noise=0.2)
    clusters = cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2, constrained=True), num_clusters=2)
    assert all(clusters.hard[c, 0] != clusters.hard[c, 1] for c in range(20))


def test_short_speaker_trains_only_when_the_clean_frame_ratio_allows():
    people = _people(3)
    script = _meeting(2, 40)
    script += [[(0, 40), (2, 5)] for _ in range(12)]  # person 2: backchannels, 10 % of a chunk
    emb, seg = _features(script, people)
    strict = training_mask(emb, seg, 0.2)
    loose = training_mask(emb, seg, 0.05)
    assert loose.sum() == strict.sum() + 12
    found = cluster_chunks(emb, seg, ClusteringParams(min_active_ratio=0.05, min_cluster_size=4))
    lost = cluster_chunks(emb, seg, ClusteringParams(min_active_ratio=0.2, min_cluster_size=4))
    assert found.centroids.shape[0] == 3
    assert lost.centroids.shape[0] == 2


def test_one_person_split_in_two_is_flagged_by_its_nearest_similarity():
    people = _people(3)
    script = _meeting(3, 60)
    emb, seg = _features(script, people)
    clusters = cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2), num_clusters=4)
    nearest = sorted(q.nearest_similarity for q in clusters.quality)
    assert nearest[-1] > 0.8  # the two halves of one person look alike
    distinct = cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2), num_clusters=3)
    assert max(q.nearest_similarity for q in distinct.quality) < 0.5


def test_no_speech_gives_no_cluster():
    emb = np.full((4, 3, 8), np.nan)
    seg = np.zeros((4, FRAMES, 3))
    clusters = cluster_chunks(emb, seg, ClusteringParams())
    assert clusters.centroids.shape[0] == 0 and (clusters.hard == -2).all()


def test_unknown_method_is_an_error():
    emb, seg = _features(_meeting(2, 10), _people(2))
    with pytest.raises(ValueError, match="unknown clustering method"):
        cluster_chunks(emb, seg, ClusteringParams(method="kmeans"))


def test_crop_keeps_every_segment_inside_the_recording():
    segments = [SpeakerSegment(-0.2, 1.0, "A"), SpeakerSegment(5.0, 30.963, "B"), SpeakerSegment(30.2, 30.9, "A"),
                SpeakerSegment(2.0, 3.0, "A")]
    cropped = crop_segments(segments, 30.0)
    assert cropped == [SpeakerSegment(0.0, 1.0, "A"), SpeakerSegment(5.0, 30.0, "B"), SpeakerSegment(2.0, 3.0, "A")]
    # 480001 samples at 16 kHz: the recording reports 30.0 s; segments never pass it
    assert max(s.end for s in crop_segments(segments, 480001 / 16000)) == 30.0


def test_chunk_features_round_trip(tmp_path):
    emb, seg = _features(_meeting(2, 5), _people(2))
    features = ChunkFeatures(seg.astype(np.float32), emb.astype(np.float32), np.ones(100, np.uint8),
                             (0.0, 10.0, 1.0), (0.0, 0.0619, 0.0169), 14.5)
    features.save(tmp_path / "f.npz")
    back = ChunkFeatures.load(tmp_path / "f.npz")
    assert np.array_equal(back.segmentations, features.segmentations)
    assert np.allclose(back.embeddings, features.embeddings, equal_nan=True)
    assert back.chunks == features.chunks and back.frames == features.frames and back.duration == 14.5


def test_attendees_bound_the_speaker_count_unless_a_count_is_given():
    from analyzer.core.config import AnalysisConfig
    from analyzer.pipeline.analysis import bounded_by_attendees

    four = AnalysisConfig().with_updates(metrics={"attendees": ("a", "b", "c", "d")})
    assert bounded_by_attendees(four).max_speakers == 4
    assert bounded_by_attendees(four.with_updates(diarization={"num_speakers": 5})).max_speakers is None
    assert bounded_by_attendees(four.with_updates(diarization={"max_speakers": 3})).max_speakers == 3
    assert bounded_by_attendees(AnalysisConfig()).max_speakers is None


def test_an_upper_bound_caps_the_clusters():
    people = _people(5)
    emb, seg = _features(_meeting(5, 80), people)
    assert cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2)).centroids.shape[0] == 5
    assert cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2), max_clusters=3).centroids.shape[0] == 3
