"""Naming speakers from their voices: cosine similarity, a calibrated threshold, a one-to-one assignment.

Pure numeric code (numpy and scipy, no model imports). A *voiceprint* is a voice
embedding (the diarizer's CAM++ centroid of one speaker of one recording, or of an
enrolment clip) with the seconds of speech it was pooled from. A person's *profile*
is the speech-weighted mean of their unit-length voiceprints. A new recording's
speakers are matched to profiles by :func:`assign`: at most one speaker per person
and one person per speaker (``scipy.optimize.linear_sum_assignment`` on the
similarities, not a greedy pick), and only pairs at or above the threshold count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

Vector = Sequence[float]


@dataclass(frozen=True, slots=True)
class Assignment:
    """One speaker's identification: ``person`` None when no profile was close enough.

    ``similarity`` is the cosine similarity to the assigned person (None when unknown);
    ``best`` is the highest similarity to any profile (None without profiles).
    """

    label: str
    person: str | None
    similarity: float | None
    best: float | None


def unit(vector: Vector) -> np.ndarray:
    """The vector scaled to length 1 (a zero vector stays zero)."""
    array = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two vectors (0 when either is zero)."""
    return float(np.dot(unit(a), unit(b)))


def profile(vectors: Sequence[Vector], weights: Sequence[float] | None = None) -> np.ndarray:
    """A person's profile: the weighted mean of their unit voiceprints, scaled to unit length."""
    if not vectors:
        raise ValueError("a profile needs at least one voiceprint")
    stacked = np.stack([unit(v) for v in vectors])
    w = np.ones(len(vectors)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = np.where(w > 0, w, 0.0)
    if w.sum() <= 0:
        w = np.ones(len(vectors))
    return unit((stacked * w[:, None]).sum(axis=0) / w.sum())


def similarity_matrix(speakers: Sequence[Vector], profiles: Sequence[Vector]) -> np.ndarray:
    """Cosine similarities, speakers as rows and profiles as columns."""
    if not speakers or not profiles:
        return np.zeros((len(speakers), len(profiles)))
    s = np.stack([unit(v) for v in speakers])
    p = np.stack([unit(v) for v in profiles])
    return s @ p.T


def assign(speakers: Mapping[str, Vector], profiles: Mapping[str, Vector], threshold: float) -> list[Assignment]:
    """Match each speaker to at most one person and each person to at most one speaker.

    The assignment maximises the total similarity over all speaker-person pairs
    (Hungarian algorithm); a pair below ``threshold`` is dropped, leaving that speaker
    unknown. Speakers come back in the order given.
    """
    labels, names = list(speakers), list(profiles)
    sims = similarity_matrix([speakers[k] for k in labels], [profiles[k] for k in names])
    chosen: dict[str, tuple[str, float]] = {}
    if labels and names:
        rows, cols = linear_sum_assignment(sims, maximize=True)
        for r, c in zip(rows, cols):
            if sims[r, c] >= threshold:
                chosen[labels[r]] = (names[c], float(sims[r, c]))
    out = []
    for i, label in enumerate(labels):
        best = float(sims[i].max()) if names else None
        person, similarity = chosen.get(label, (None, None))
        out.append(Assignment(label, person, similarity, best))
    return out


def embedding_model_id(models) -> str:  # noqa: ANN001 - a sequence of schema.ModelRef
    """``name:sha256-prefix`` of the embedding model among ``models`` (voiceprints of different
    models are never compared); ``unknown`` when none has the embedding role."""
    for model in models:
        if model.role == "embedding":
            return f"{model.name}:{model.sha256[:12]}"
    return "unknown"


def weighted_mean(vectors: Sequence[Vector], weights: Sequence[float]) -> tuple[float, ...]:
    """The speech-weighted mean of unit vectors (for two labels merged into one speaker)."""
    return tuple(float(x) for x in profile(vectors, weights))
