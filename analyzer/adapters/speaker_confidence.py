"""How sure the diarization is that each speaker is one distinct person (numpy only).

Measured on an assignment made elsewhere, pyannote's clustering in the live diarizer or
:mod:`analyzer.adapters.clustering` in the sweeps, and never changing it: from the chunk
embeddings of the local speakers that count as voice samples (enough clean frames), per cluster

- ``confidence``: the share of its samples clearly closer to its own direction than to any other
  cluster's, lowered when few samples back it;
- the nearest other cluster and how alike the two voices are, and the alike clusters that are
  almost never heard in the same chunk ("may be the same person");
- how alike the two halves of a 2-way split of its samples are, and how often two voices the
  segmentation told apart in one chunk both went to it ("may be two people").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from analyzer.adapters.clustering import kmeans, unit_rows, training_mask
from analyzer.core.config import DiarizationConfig
from analyzer.core.schema import Diarization, SpeakerConfidence


@dataclass(frozen=True, slots=True)
class ClusterQuality:
    """How sure we are that one cluster is one distinct person.

    ``confidence`` (0-1): the share of its embeddings that are clearly closer to its own
    centroid than to any other (by 0.1 of cosine similarity), times a support factor that
    falls when few embeddings back it. ``nearest`` is the most similar other cluster and
    ``nearest_similarity`` the cosine similarity of the two centroids; ``split_similarity``
    the similarity of the two halves of a 2-way split of the cluster (low: maybe two people);
    ``shared_chunks`` the share of the chunks where the cluster speaks in which two of the
    segmentation's local speakers (two voices the segmentation told apart) both went to it
    (None under 3 chunks; high: maybe two people); ``apart`` the other clusters that share at most
    a small part of their chunks with this one (one person split in two is never heard twice at
    once), most similar first.
    """

    cluster: int
    embeddings: int
    confidence: float
    nearest: int | None
    nearest_similarity: float | None
    split_similarity: float | None
    shared_chunks: float | None = None
    apart: tuple[tuple[int, float], ...] = ()  # (cluster, similarity): rarely in one chunk with this one


def quality(x: np.ndarray, labels: np.ndarray, centroids: np.ndarray, margin: float = 0.1,
            full_support: int = 20, max_split: int = 0) -> tuple[ClusterQuality, ...]:
    """Per-cluster confidence that it is one distinct person (see :class:`ClusterQuality`).

    A cluster without members (all-zero centroid) is nobody's nearest. The 2-way split of a
    cluster sees at most ``max_split`` of its embeddings (evenly spaced; 0: all of them), so
    long recordings stay within the clustering's memory cap.
    """
    sims = x @ centroids.T  # (N, K)
    k_total = centroids.shape[0]
    cent_sim = centroids @ centroids.T
    filled = [j for j in range(k_total) if np.any(labels == j)]
    out = []
    for k in range(k_total):
        members = labels == k
        count = int(members.sum())
        nearest = sim_nn = None
        others = [j for j in filled if j != k]
        if others:
            j = others[int(np.argmax(cent_sim[k, others]))]
            nearest, sim_nn = j, float(cent_sim[k, j])
        if count == 0:  # no voice sample at all: nothing to compare
            out.append(ClusterQuality(k, 0, 0.0, None, None, None))
            continue
        if others:
            own = sims[members, k]
            other = np.max(sims[members][:, others], axis=1)
            clear = float(np.mean(own - other >= margin))
        else:
            clear = 1.0
        support = min(1.0, count / full_support)
        split = None
        if count >= 8:
            own_x = x[members]
            if 0 < max_split < count:
                own_x = own_x[np.unique(np.linspace(0, count - 1, max_split).round().astype(np.int64))]
            halves = kmeans(own_x, 2, seed=1)
            if 0 < halves.sum() < len(own_x):
                a = unit_rows(own_x[halves == 0].mean(axis=0))
                b = unit_rows(own_x[halves == 1].mean(axis=0))
                split = float(a @ b)
        out.append(ClusterQuality(k, count, round(clear * support, 3), nearest,
                                  None if sim_nn is None else round(sim_nn, 3),
                                  None if split is None else round(split, 3)))
    return tuple(out)


def shared_chunks(hard: np.ndarray, clusters: int, min_chunks: int = 3) -> list[float | None]:
    """Per cluster: of the chunks where it has a local speaker, the share where it has two or more."""
    out: list[float | None] = []
    for k in range(clusters):
        locals_ = (hard == k).sum(axis=1)
        present = int((locals_ >= 1).sum())
        out.append(round(float((locals_ >= 2).sum()) / present, 3) if present >= min_chunks else None)
    return out


def with_shared(qualities: Sequence[ClusterQuality], hard: np.ndarray) -> tuple[ClusterQuality, ...]:
    shared = shared_chunks(hard, len(qualities))
    return tuple(replace(q, shared_chunks=shared[q.cluster]) for q in qualities)


def with_apart(qualities: Sequence[ClusterQuality], hard: np.ndarray, centroids: np.ndarray,
               max_together: float) -> tuple[ClusterQuality, ...]:
    """Fill ``apart``: pairs of clusters with voice samples that have a local speaker in the same
    chunk in at most ``max_together`` of the chunks of the rarer of the two."""
    present = [(hard == q.cluster).any(axis=1) if q.embeddings else None for q in qualities]
    out = []
    for q in qualities:
        mine = present[q.cluster]
        found = []
        for other in qualities:
            theirs = present[other.cluster]
            if other.cluster == q.cluster or mine is None or theirs is None:
                continue
            together = (mine & theirs).sum() / max(1, min(mine.sum(), theirs.sum()))
            if together <= max_together:
                found.append((other.cluster, round(float(centroids[q.cluster] @ centroids[other.cluster]), 3)))
        out.append(replace(q, apart=tuple(sorted(found, key=lambda item: -item[1]))))
    return tuple(out)


def assignment_quality(embeddings: np.ndarray, segmentations: np.ndarray, hard: np.ndarray,
                       min_active_ratio: float = 0.2, max_embeddings: int = 0,
                       num_clusters: int = 0, max_together: float = 0.2) -> tuple[ClusterQuality, ...]:
    """Per-cluster confidence of an assignment made elsewhere (pyannote's clustering, live).

    Args:
        embeddings: (chunks, local speakers, dimension) as the clustering saw them.
        segmentations: (chunks, frames, local speakers) binary activity.
        hard: (chunks, local speakers) final cluster of each local speaker (negative: none).
        min_active_ratio: the clean-frame share a local speaker needs to count as a voice
            sample (pyannote's embedding filter: 0.2).
        max_embeddings: the memory cap (see :func:`quality`).
        num_clusters: at least this many clusters (those beyond ``hard`` have no voice sample).
        max_together: see :func:`with_apart`.

    The clusters' directions are the means of their own voice samples, as they came out of the
    assignment; nothing is re-clustered.
    """
    hard = np.asarray(hard)
    clusters = max(int(hard.max(initial=-1)) + 1, num_clusters)
    if clusters == 0:
        return ()
    assigned = hard >= 0
    sample = training_mask(embeddings, segmentations, min_active_ratio) & assigned
    if not sample.any():
        sample = assigned & ~np.any(np.isnan(embeddings), axis=2)
    x = unit_rows(np.asarray(embeddings, dtype=np.float64)[sample])
    labels = hard[sample]
    centroids = unit_rows(np.vstack([x[labels == k].mean(axis=0) if np.any(labels == k) else np.zeros(x.shape[1])
                                 for k in range(clusters)]))
    qualities = with_shared(quality(x, labels, centroids, max_split=max_embeddings), hard)
    return with_apart(qualities, hard, centroids, max_together)


def confidence_from_assignment(diarization: Diarization, embeddings: np.ndarray, segmentations: np.ndarray,
                               hard: np.ndarray, cluster_labels: Sequence, config: DiarizationConfig,
                               min_active_ratio: float = 0.2) -> Diarization:
    """The live diarizer's confidence: ``diarization`` with one :class:`SpeakerConfidence` per speaker,
    from the chunk embeddings and the final assignment ``hard`` that produced it.

    ``cluster_labels`` are the overlapping track's labels before pyannote renamed them, in the
    order of its ``labels()``: pyannote names them SPEAKER_00, SPEAKER_01, ... in that order, and
    label ``k`` there is cluster ``k`` of ``hard`` (a cluster with no frame left has no label; where
    the instantaneous count asks for more speakers than there are clusters, pyannote adds labels
    past the last cluster: they have no voice sample, so confidence 0).
    ``min_active_ratio``: what makes a local speaker a voice sample; pyannote's embedding filter
    hard-codes 0.2, so the live clusters were trained on exactly those samples.
    """
    names = {int(k): f"SPEAKER_{i:02d}" for i, k in enumerate(cluster_labels)}
    qualities = assignment_quality(embeddings, segmentations, hard, min_active_ratio=min_active_ratio,
                                   max_embeddings=config.max_clustered_embeddings,
                                   num_clusters=max((int(k) + 1 for k in cluster_labels), default=0),
                                   max_together=config.same_person_max_together)
    return with_confidence(diarization, qualities, names, config)


def with_confidence(diarization: Diarization, qualities: Sequence[ClusterQuality], labels: dict[int, str],
                    config: DiarizationConfig) -> Diarization:
    """Attach one :class:`SpeakerConfidence` per speaker of the diarization (cluster ``k`` is ``labels[k]``)."""
    present = set(diarization.speakers)
    out = []
    for q in qualities:
        label = labels.get(q.cluster)
        if label not in present:
            continue
        nearest = labels.get(q.nearest) if q.nearest is not None else None
        same, same_similarity = None, None
        if nearest in present and q.nearest_similarity is not None \
                and q.nearest_similarity >= config.same_person_similarity:
            same, same_similarity = nearest, q.nearest_similarity
        else:  # alike voices never heard at once: one person split in two?
            same, same_similarity = next(((labels[j], sim) for j, sim in q.apart if labels.get(j) in present
                                          and sim >= config.same_person_apart_similarity), (None, None))
        two = ((q.split_similarity is not None and q.split_similarity <= config.two_people_similarity)
               or (q.shared_chunks is not None and q.shared_chunks >= config.two_people_shared_chunks))
        out.append(SpeakerConfidence(speaker=label, confidence=q.confidence, embeddings=q.embeddings,
                                     nearest=nearest if nearest in present else None,
                                     nearest_similarity=q.nearest_similarity if nearest in present else None,
                                     split_similarity=q.split_similarity, same_as=same, maybe_two=two,
                                     shared_chunks=q.shared_chunks, same_as_similarity=same_similarity))
    return replace(diarization, confidence=tuple(out))
