"""Speaker clustering of chunk-level embeddings: numpy and scipy only, no ML framework.

The diarizer (:mod:`analyzer.diarize`) cuts the recording into overlapping chunks; the
segmentation model finds up to 3 local speakers per chunk and the embedding model describes
each one. This module decides which local speakers are the same person:

1. **training set**: the local speakers with enough clean (single-speaker) frames in their
   chunk (``min_active_ratio``; pyannote hard-codes 0.2, which drops backchannel speakers);
2. **clustering** of the training embeddings, either agglomerative (centroid linkage on unit
   vectors, cut at ``clustering_threshold``) or spectral (cosine affinity pruned row by row, an
   unnormalised Laplacian, and the largest eigengap as the count, as in 3D-Speaker's recipe);
3. clusters smaller than ``min_cluster_size`` join their nearest large cluster;
4. **assignment**: every active local speaker goes to its nearest centroid (optionally never two
   local speakers of one chunk to the same cluster: measured worse, off by default);
5. **confidence** per cluster (:mod:`analyzer.adapters.speaker_confidence`, for this stage and
   for pyannote's clustering in the live diarizer alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment

from analyzer.core.config import DiarizationConfig
from analyzer.core.schema import SpeakerSegment


@dataclass(frozen=True)
class ChunkFeatures:
    """What the diarizer computes before clustering, for one recording.

    ``segmentations`` (chunks, frames, 3) binary local-speaker activity; ``embeddings``
    (chunks, 3, dimension), NaN where unusable; ``count`` (frames,) instantaneous number of
    speakers; ``chunks`` and ``frames`` are (start, duration, step) of the two sliding windows.
    """

    segmentations: np.ndarray
    embeddings: np.ndarray
    count: np.ndarray
    chunks: tuple[float, float, float]
    frames: tuple[float, float, float]
    duration: float

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, segmentations=self.segmentations.astype(np.uint8), embeddings=self.embeddings,
                            count=self.count, chunks=np.array(self.chunks), frames=np.array(self.frames),
                            duration=np.array(self.duration))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> "ChunkFeatures":
        with np.load(path) as data:
            return cls(segmentations=data["segmentations"].astype(np.float32), embeddings=data["embeddings"],
                       count=data["count"], chunks=tuple(float(v) for v in data["chunks"]),
                       frames=tuple(float(v) for v in data["frames"]), duration=float(data["duration"]))


def crop_segments(segments: Iterable[SpeakerSegment], duration: float) -> list[SpeakerSegment]:
    """Segments clipped to [0, duration]; those left empty are dropped.

    The last chunk of the segmentation is padded past the end of the audio, so without this the
    last speaker is credited with time that does not exist.
    """
    out = []
    duration = np.floor(duration * 1000) / 1000  # segment times are kept to the millisecond
    for seg in segments:
        start, end = max(0.0, seg.start), float(min(duration, seg.end))
        if end > start:
            out.append(seg if (start, end) == (seg.start, seg.end) else SpeakerSegment(start, end, seg.speaker))
    return out


def clustering_params(config: DiarizationConfig) -> "ClusteringParams":
    """The clustering knobs of a diarization config."""
    return ClusteringParams(method=config.clustering_method, threshold=config.clustering_threshold,
                            min_cluster_size=config.min_cluster_size, min_active_ratio=config.min_active_ratio,
                            spectral_pval=config.spectral_pval, merge_cosine=config.merge_cosine,
                            constrained=config.constrained_assignment)


@dataclass(frozen=True, slots=True)
class ClusteringParams:
    """The knobs of :func:`cluster_chunks` (defaults and meaning in ``DiarizationConfig``)."""

    method: str = "agglomerative"
    threshold: float = 0.7
    min_cluster_size: int = 12
    min_active_ratio: float = 0.2
    spectral_pval: float = 0.02
    spectral_min_pnum: int = 6
    merge_cosine: float = 1.0  # merge clusters whose centroids are more similar than this (1: never)
    max_speakers_guess: int = 12
    constrained: bool = False  # two local speakers of one chunk never share a cluster


@dataclass(frozen=True, slots=True)
class Clusters:
    """``hard[c, s]``: cluster of local speaker ``s`` in chunk ``c`` (-2: inactive there).

    ``centroids`` are unit vectors; ``means`` the plain mean of each cluster's raw training
    embeddings (as pyannote's ``speaker_embeddings``: the voice of that speaker). How sure each
    cluster is: :func:`analyzer.adapters.speaker_confidence.assignment_quality`.
    """

    hard: np.ndarray
    centroids: np.ndarray
    means: np.ndarray | None = None


def unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, x / norms, 0.0)


def cluster_bounds(num_embeddings: int, num_clusters: int | None, min_clusters: int | None,
                   max_clusters: int | None) -> tuple[int | None, int, int]:
    """(exact count or None, min, max) clipped to what ``num_embeddings`` allows (as pyannote)."""
    low = max(1, min(num_embeddings, num_clusters or min_clusters or 1))
    high = max(1, min(num_embeddings, num_clusters or max_clusters or num_embeddings))
    if low > high:
        raise ValueError(f"min_speakers ({low}) is larger than max_speakers ({high})")
    return (low if low == high else None), low, high


def training_mask(embeddings: np.ndarray, segmentations: np.ndarray, min_active_ratio: float) -> np.ndarray:
    """(chunks, speakers) mask of local speakers good enough to train the clusters on."""
    num_frames = segmentations.shape[1]
    single = segmentations.sum(axis=2, keepdims=True) == 1
    clean = (segmentations * single).sum(axis=1)
    valid = ~np.any(np.isnan(embeddings), axis=2)
    mask = (clean >= min_active_ratio * num_frames) & valid
    if mask.sum() < 2:  # very short audio: train on whatever is active
        mask = (segmentations.sum(axis=1) > 0) & valid
    return mask


def in_order_of_appearance(labels: np.ndarray) -> np.ndarray:
    """Cluster labels renumbered 0, 1, ... in the order each first appears in ``labels``.

    Embeddings come in time order (chunk by chunk), so cluster 0 is the first person heard,
    whichever way the dendrogram numbered them. pyannote's reconstruction breaks ties between
    clusters by their number, so two embeddings that find the same partition (the shared trunk
    and one pass per chunk, say) then give the same diarization, frame for frame.
    """
    labels = np.asarray(labels)
    if labels.size == 0:
        return labels
    ids, first = np.unique(labels, return_index=True)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(ids))
    return rank[np.searchsorted(ids, labels)].astype(labels.dtype, copy=False)


def absorb_small(labels: np.ndarray, x: np.ndarray, min_size: int, keep: int | None = None) -> np.ndarray:
    """Clusters with fewer than ``min_size`` members join the nearest large one; 0..K-1 labels."""
    ids, counts = np.unique(labels, return_counts=True)
    large = ids[counts >= min_size]
    if len(large) == 0:
        large = ids[np.argsort(-counts)[:1]]
    if keep is not None and len(large) > keep:
        large = ids[np.argsort(-counts)[:keep]]
    small = [k for k in ids if k not in set(large.tolist())]
    if small:
        cents = unit_rows(np.vstack([x[labels == k].mean(axis=0) for k in large]))
        labels = labels.copy()
        for k in small:
            centroid = unit_rows(x[labels == k].mean(axis=0))
            labels[labels == k] = large[int(np.argmax(cents @ centroid))]
    return np.unique(labels, return_inverse=True)[1]


def _agglomerative(x: np.ndarray, params: ClusteringParams, exact: int | None, low: int, high: int,
                   min_size: int) -> np.ndarray:
    dendrogram = linkage(x, method="centroid", metric="euclidean")
    labels = fcluster(dendrogram, params.threshold, criterion="distance") - 1

    def n_large(lab: np.ndarray) -> int:
        return int((np.unique(lab, return_counts=True)[1] >= min_size).sum())

    found = n_large(labels)
    target = exact if exact is not None else (low if found < low else high if found > high else None)
    if target is not None and found != target:
        best, best_gap = labels, abs(found - target)
        for k in range(target, min(len(x), target + 200) + 1):
            cut = fcluster(dendrogram, k, criterion="maxclust") - 1
            gap = abs(n_large(cut) - target)
            if gap < best_gap:
                best, best_gap = cut, gap
            if gap == 0:
                break
        labels = best
        return absorb_small(labels, x, min_size, keep=target)
    return absorb_small(labels, x, min_size)


def kmeans(points: np.ndarray, k: int, seed: int = 0, iterations: int = 50) -> np.ndarray:
    """Plain k-means with k-means++ seeding (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        probs = d2 / d2.sum() if d2.sum() > 0 else np.full(len(points), 1 / len(points))
        centres.append(points[rng.choice(len(points), p=probs)])
    centres_arr = np.array(centres)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(iterations):
        new = np.argmin(((points[:, None, :] - centres_arr[None]) ** 2).sum(-1), axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                centres_arr[j] = points[labels == j].mean(axis=0)
    return labels


def spectral_count(x: np.ndarray, params: ClusteringParams, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and eigenvectors of the pruned cosine-affinity Laplacian, and nothing else."""
    n = len(x)
    affinity = x @ x.T
    keep = max(params.spectral_min_pnum, int(np.ceil(params.spectral_pval * n)))
    keep = min(n, keep)
    order = np.argsort(-affinity, axis=1)[:, :keep]
    pruned = np.zeros_like(affinity)
    np.put_along_axis(pruned, order, np.take_along_axis(affinity, order, axis=1), axis=1)
    pruned = 0.5 * (pruned + pruned.T)
    np.fill_diagonal(pruned, 0.0)
    laplacian = np.diag(np.abs(pruned).sum(axis=1)) - pruned
    return np.linalg.eigh(laplacian)


def _spectral(x: np.ndarray, params: ClusteringParams, exact: int | None, low: int, high: int,
              min_size: int) -> np.ndarray:
    n = len(x)
    if n < 3:
        return np.zeros(n, dtype=int)
    values, vectors = spectral_count(x, params, low, high)
    if exact is not None:
        k = exact
    else:
        top = min(high, params.max_speakers_guess, n - 1)
        gaps = np.diff(values[: top + 1])
        k = int(np.argmax(gaps[low - 1:])) + low if len(gaps) >= low else low
    labels = kmeans(vectors[:, :k], k) if k > 1 else np.zeros(n, dtype=int)
    labels = np.unique(labels, return_inverse=True)[1]
    if exact is None and params.merge_cosine < 1.0:
        labels = merge_similar(labels, x, params.merge_cosine, low)
    return absorb_small(labels, x, min_size, keep=exact)


def merge_similar(labels: np.ndarray, x: np.ndarray, cosine: float, low: int) -> np.ndarray:
    """Merge the two most similar clusters while their centroids' similarity exceeds ``cosine``."""
    labels = labels.copy()
    while len(np.unique(labels)) > max(1, low):
        ids = np.unique(labels)
        cents = unit_rows(np.vstack([x[labels == k].mean(axis=0) for k in ids]))
        sim = cents @ cents.T
        np.fill_diagonal(sim, -np.inf)
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        if sim[i, j] <= cosine:
            break
        labels[labels == ids[j]] = ids[i]
    return np.unique(labels, return_inverse=True)[1]


def assign(embeddings: np.ndarray, active: np.ndarray, centroids: np.ndarray,
           constrained: bool = False) -> np.ndarray:
    """Each active local speaker to its nearest centroid; with ``constrained``, two of one chunk
    never to the same one (Hungarian assignment per chunk)."""
    chunks, speakers, _ = embeddings.shape
    hard = np.full((chunks, speakers), -2, dtype=int)
    sim = np.nan_to_num(unit_rows(embeddings) @ centroids.T, nan=-1.0)  # (C, S, K)
    if not constrained:
        best = np.argmax(sim, axis=2)
        hard[active] = best[active]
        return hard
    for c in range(chunks):
        local = np.flatnonzero(active[c])
        if len(local) == 0:
            continue
        if len(local) <= centroids.shape[0]:
            rows, cols = linear_sum_assignment(sim[c, local], maximize=True)
            hard[c, local[rows]] = cols
        else:
            hard[c, local] = np.argmax(sim[c, local], axis=1)
    return hard


def cluster_chunks(embeddings: np.ndarray, segmentations: np.ndarray, params: ClusteringParams,
                   num_clusters: int | None = None, min_clusters: int | None = None,
                   max_clusters: int | None = None) -> Clusters:
    """Cluster the local speakers of every chunk into people.

    Args:
        embeddings: (chunks, local speakers, dimension); NaN rows for unusable ones.
        segmentations: (chunks, frames, local speakers) binary activity.
        params: the method and its knobs.
        num_clusters / min_clusters / max_clusters: the speaker count, or bounds on it.
    """
    chunks, speakers, dim = embeddings.shape
    active = (segmentations.sum(axis=1) > 0) & ~np.any(np.isnan(embeddings), axis=2)
    train = training_mask(embeddings, segmentations, params.min_active_ratio)
    x = unit_rows(embeddings[train].astype(np.float64))
    if len(x) == 0:
        return Clusters(np.full((chunks, speakers), -2, dtype=int), np.zeros((0, dim)), np.zeros((0, dim)))
    exact, low, high = cluster_bounds(len(x), num_clusters, min_clusters, max_clusters)
    min_size = min(params.min_cluster_size, max(1, round(0.1 * len(x))))
    if high < 2 or len(x) < 2:
        labels = np.zeros(len(x), dtype=int)
    elif params.method == "spectral":
        labels = _spectral(x, params, exact, low, high, min_size)
    elif params.method == "agglomerative":
        labels = _agglomerative(x, params, exact, low, high, min_size)
    else:
        raise ValueError(f"unknown clustering method {params.method!r}; use agglomerative or spectral")
    labels = in_order_of_appearance(labels)
    centroids = unit_rows(np.vstack([x[labels == k].mean(axis=0) for k in range(labels.max() + 1)]))
    hard = assign(embeddings, active, centroids, params.constrained)
    # clusters that end up with no local speaker at all are dropped and the rest renumbered
    used = np.unique(hard[hard >= 0])
    remap = {int(k): i for i, k in enumerate(used)}
    hard = np.vectorize(lambda v: remap.get(int(v), -2))(hard) if len(used) < centroids.shape[0] else hard
    centroids = centroids[used]
    train_labels = hard[train]
    raw = embeddings[train].astype(np.float64)
    means = np.vstack([raw[train_labels == k].mean(axis=0) if np.any(train_labels == k)
                       else np.zeros(dim) for k in range(centroids.shape[0])])
    return Clusters(hard, centroids, means)


