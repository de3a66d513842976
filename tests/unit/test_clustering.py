"""Speaker clustering on synthetic chunk features (pure numpy: no model)."""

import numpy as np
import pytest

from analyzer.adapters.clustering import (
    ChunkFeatures, ClusteringParams, cluster_chunks, crop_segments, in_order_of_appearance, training_mask,
)
from analyzer.adapters.speaker_confidence import assignment_quality
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
    assert all(q.confidence > 0.8 for q in assignment_quality(emb, seg, clusters.hard))


def test_clusters_are_numbered_in_the_order_they_are_first_heard():
    assert in_order_of_appearance(np.array([2, 2, 0, 1, 0, 2])).tolist() == [0, 0, 1, 2, 1, 0]
    assert in_order_of_appearance(np.array([5, 3, 5, 9])).tolist() == [0, 1, 0, 2]  # gaps closed too
    assert in_order_of_appearance(np.array([], dtype=int)).tolist() == []


@pytest.mark.parametrize("method", ["agglomerative", "spectral"])
def test_the_first_person_heard_is_cluster_zero_whatever_the_linkage_numbering(method):
    people = _people(3)
    script = [[(2, 30), (1, 20)]] + _meeting(3, 40)  # person 2 speaks first, then 1
    emb, seg = _features(script, people)
    hard = cluster_chunks(emb, seg, ClusteringParams(method=method, min_cluster_size=4)).hard
    assert hard[0, 0] == 0 and hard[0, 1] == 1


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
    nearest = sorted(q.nearest_similarity for q in assignment_quality(emb, seg, clusters.hard))
    assert nearest[-1] > 0.8  # the two halves of one person look alike
    distinct = cluster_chunks(emb, seg, ClusteringParams(min_cluster_size=2), num_clusters=3)
    assert max(q.nearest_similarity for q in assignment_quality(emb, seg, distinct.hard)) < 0.5


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


def _truth_hard(script) -> np.ndarray:
    """The assignment that puts every local speaker with its own person (cluster = person)."""
    hard = np.full((len(script), 3), -2)
    for c, locals_ in enumerate(script):
        for s, (person, _) in enumerate(locals_):
            hard[c, s] = person
    return hard


def _diarization(*speakers):
    from analyzer.core.schema import Diarization

    segments = tuple(SpeakerSegment(float(i), i + 0.5, s) for i, s in enumerate(speakers))
    return Diarization(segments=segments, exclusive=segments, speakers=tuple(speakers))


def test_confidence_of_a_given_assignment_is_high_for_distinct_people_and_changes_no_label():
    from analyzer.adapters.speaker_confidence import assignment_quality, confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    script = _meeting(3, 60)
    emb, seg = _features(script, _people(3))
    hard = _truth_hard(script)
    spoken = [sum(person == p for locals_ in script for person, _ in locals_) for p in range(3)]
    assert [q.embeddings for q in assignment_quality(emb, seg, hard)] == spoken  # every local speaker counts
    diarization = _diarization("SPEAKER_00", "SPEAKER_01", "SPEAKER_02")
    scored = confidence_from_assignment(diarization, emb, seg, hard, [0, 1, 2], DiarizationConfig())
    assert scored.segments == diarization.segments and scored.exclusive == diarization.exclusive
    assert [c.speaker for c in scored.confidence] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"]
    assert all(c.confidence > 0.9 and not c.same_as and not c.maybe_two for c in scored.confidence)


def test_pyannote_labels_map_onto_the_clusters_they_came_from():
    """pyannote names the labels left after reconstruction SPEAKER_00, 01, ... in order: a
    cluster with no frame left (here cluster 1) shifts the names of those after it."""
    from analyzer.adapters.speaker_confidence import confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    people = _people(3)
    script = _meeting(2, 40) + [[(2, 40)] for _ in range(3)]  # person 2: three chunks only
    emb, seg = _features(script, people)
    hard = _truth_hard(script)
    hard[hard == 1], hard[hard == 0] = 2, 0  # persons 0 and 1 -> clusters 0 and 2; person 2 -> cluster 1
    hard[len(script) - 3:, 0] = 1
    scored = confidence_from_assignment(_diarization("SPEAKER_00", "SPEAKER_01"), emb, seg, hard, [0, 2],
                                        DiarizationConfig())
    by = {c.speaker: c for c in scored.confidence}
    assert set(by) == {"SPEAKER_00", "SPEAKER_01"}  # cluster 1 has no label: no entry
    spoken = [sum(person == p for locals_ in script for person, _ in locals_) for p in range(2)]
    assert [by["SPEAKER_00"].embeddings, by["SPEAKER_01"].embeddings] == spoken  # cluster 2 is SPEAKER_01
    assert {by["SPEAKER_00"].nearest, by["SPEAKER_01"].nearest} <= {"SPEAKER_00", "SPEAKER_01", None}


def test_two_people_in_one_cluster_and_one_person_in_two_are_flagged():
    from analyzer.adapters.speaker_confidence import confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    script = _meeting(3, 60)
    emb, seg = _features(script, _people(3))
    config = DiarizationConfig()
    merged = _truth_hard(script)
    merged[merged == 2] = 1  # persons 1 and 2 counted as one
    scored = confidence_from_assignment(_diarization("SPEAKER_00", "SPEAKER_01"), emb, seg, merged, [0, 1], config)
    assert [c.maybe_two for c in scored.confidence] == [False, True]
    split = _truth_hard(script)
    second_half = np.arange(len(script))[:, None] >= len(script) // 2
    split[(split == 0) & second_half] = 3  # person 0 counted as two
    names = ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03")
    scored = confidence_from_assignment(_diarization(*names), emb, seg, split, [0, 1, 2, 3], config)
    same = {c.speaker: c.same_as for c in scored.confidence}
    assert same == {"SPEAKER_00": "SPEAKER_03", "SPEAKER_01": None, "SPEAKER_02": None, "SPEAKER_03": "SPEAKER_00"}


def test_the_memory_cap_bounds_the_split_check_and_keeps_the_answer():
    from analyzer.adapters.speaker_confidence import assignment_quality

    script = _meeting(2, 400)
    emb, seg = _features(script, _people(2))
    hard = _truth_hard(script)
    full = assignment_quality(emb, seg, hard)
    capped = assignment_quality(emb, seg, hard, max_embeddings=50)
    assert [q.confidence for q in capped] == [q.confidence for q in full]
    assert all(abs(a.split_similarity - b.split_similarity) < 0.1 for a, b in zip(capped, full))


def test_no_assignment_gives_no_confidence():
    from analyzer.adapters.speaker_confidence import assignment_quality

    emb, seg = _features(_meeting(2, 5), _people(2))
    assert assignment_quality(emb, seg, np.full((5, 3), -2)) == ()


def test_two_voices_the_segmentation_told_apart_in_one_cluster_are_flagged_even_when_alike():
    from analyzer.adapters.speaker_confidence import confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    people = _people(3)
    people[2] = people[1] + 0.1 * people[2]  # two alike voices: the split check cannot tell them apart
    script = [[(0, 30), (1, 20)] for _ in range(10)] + [[(1, 25), (2, 25)] for _ in range(10)]
    emb, seg = _features(script, people)
    merged = _truth_hard(script)
    merged[merged == 2] = 1  # both of the second half's local speakers went to cluster 1
    scored = confidence_from_assignment(_diarization("SPEAKER_00", "SPEAKER_01"), emb, seg, merged, [0, 1],
                                        DiarizationConfig())
    by = {c.speaker: c for c in scored.confidence}
    assert by["SPEAKER_01"].shared_chunks == 0.5 and by["SPEAKER_01"].maybe_two
    assert by["SPEAKER_01"].split_similarity > DiarizationConfig().two_people_similarity  # the split alone misses it
    assert by["SPEAKER_00"].shared_chunks == 0.0 and not by["SPEAKER_00"].maybe_two


def test_a_speaker_pyannote_adds_beyond_the_clusters_gets_no_confidence():
    """When the count asks for two speakers and the clustering found one person, pyannote adds a
    second label without a cluster (AMI trn06): it has no voice sample, so confidence 0."""
    from analyzer.adapters.speaker_confidence import confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    script = _meeting(2, 20)
    emb, seg = _features(script, _people(2))
    one = np.where(_truth_hard(script) >= 0, 0, -2)
    scored = confidence_from_assignment(_diarization("SPEAKER_00", "SPEAKER_01"), emb, seg, one, [0, 1],
                                        DiarizationConfig())
    by = {c.speaker: c for c in scored.confidence}
    assert by["SPEAKER_01"].confidence == 0.0 and by["SPEAKER_01"].embeddings == 0
    assert by["SPEAKER_01"].nearest is None and by["SPEAKER_00"].nearest is None
    assert by["SPEAKER_00"].maybe_two  # both voices of every chunk went to it


def test_alike_voices_never_heard_at_once_may_be_one_person():
    """One person whose voice drifts (first and second half clustered apart) is never heard twice
    in one chunk; two different people talking together are. Only the first pair is flagged."""
    from analyzer.adapters.speaker_confidence import confidence_from_assignment
    from analyzer.core.config import DiarizationConfig

    people = _people(3)
    people[2] = people[0] + 1.1 * _people(1, seed=7)[0]  # person 0's voice, drifted
    script = [[(0, 30), (1, 20)] for _ in range(20)] + [[(2, 30), (1, 20)] for _ in range(20)]
    emb, seg = _features(script, people)
    hard = _truth_hard(script)  # clusters 0 and 2 are the same person, 1 someone else
    names = ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02")
    scored = confidence_from_assignment(_diarization(*names), emb, seg, hard, [0, 1, 2], DiarizationConfig())
    by = {c.speaker: c for c in scored.confidence}
    config = DiarizationConfig()
    assert config.same_person_apart_similarity <= by["SPEAKER_00"].same_as_similarity < config.same_person_similarity
    assert by["SPEAKER_00"].same_as == "SPEAKER_02" and by["SPEAKER_02"].same_as == "SPEAKER_00"
    assert by["SPEAKER_01"].same_as is None  # heard with both in every chunk
