"""A memory cap around whatever clusters the speaker embeddings.

Agglomerative linkage holds all N(N-1)/2 pairwise distances in float64: 7k to 22k
embeddings for two hours at a 1 s step is 0.2 to 1.9 GB, four hours four times that.
Above ``max_embeddings`` the clustering sees an evenly spaced subset spanning the whole
recording (so a speaker of the first hour and of the last is one cluster, as before),
and every other embedding joins the subset cluster whose mean direction is closest
(cosine). Below the cap nothing changes. Numpy only; :mod:`analyzer.adapters.diarize` wraps the
pipeline's clustering with :func:`capped`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

ClusterFn = Callable[..., np.ndarray]


def capped(cluster: ClusterFn, max_embeddings: int) -> ClusterFn:
    """``cluster(embeddings, *args, **kwargs) -> labels``, run on at most ``max_embeddings`` rows."""

    def capped_cluster(embeddings: np.ndarray, *args, **kwargs) -> np.ndarray:
        count = len(embeddings)
        if max_embeddings <= 0 or count <= max_embeddings:
            return cluster(embeddings, *args, **kwargs)
        keep = subset_indices(count, max_embeddings)
        labels = np.asarray(cluster(np.array(embeddings[keep]), *args, **kwargs))
        return assign_rest(embeddings, keep, labels)

    return capped_cluster


def subset_indices(count: int, size: int) -> np.ndarray:
    """``size`` indices spread evenly over ``range(count)``, first and last included."""
    return np.unique(np.linspace(0, count - 1, size).round().astype(np.int64))


def assign_rest(embeddings: np.ndarray, keep: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Labels for every row: the subset's own, and for the others the nearest subset cluster
    centroid by cosine similarity (computed in blocks, float32)."""
    unit = _unit(np.asarray(embeddings, dtype=np.float32))
    clusters = np.unique(labels)
    centroids = _unit(np.stack([unit[keep][labels == c].mean(axis=0) for c in clusters]))
    result = np.empty(len(embeddings), dtype=labels.dtype)
    for start in range(0, len(unit), 4096):
        block = unit[start:start + 4096]
        result[start:start + 4096] = clusters[np.argmax(block @ centroids.T, axis=1)]
    result[keep] = labels
    return result


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
