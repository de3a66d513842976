"""Group balance indices and the turn-transition graph. Pure Python.

Balance (Gini, entropy, effective speakers) is computed over every attendee,
silent ones included with zero time. Transition-graph measures follow
docs/metrics.md: M[a][b] counts floor changes from a to b (backchannels removed).
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from analyzer.metrics.turns import FloorTurn


def shares(times: Mapping[str, float]) -> dict[str, float]:
    """Each person's share of the total (all zero when nobody spoke)."""
    total = sum(times.values())
    return {p: (t / total if total > 0 else 0.0) for p, t in times.items()}


def gini(values: Sequence[float]) -> float:
    """G = sum_i sum_j |x_i - x_j| / (2 n^2 mean); 0 equal, (n-1)/n one person holds everything."""
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return 0.0
    ordered = sorted(values)
    # sum_i sum_j |x_i - x_j| = 2 * sum_i (2i - n + 1) x_(i), i from 0 (sorted ascending)
    weighted = sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return max(0.0, 2 * weighted / (2 * n * total))


def entropy(ps: Sequence[float]) -> float:
    """Shannon entropy in nats (zero shares contribute nothing)."""
    return -sum(p * math.log(p) for p in ps if p > 0)


def balance(times: Mapping[str, float]) -> dict[str, float]:
    """Gini, normalised entropy, exp(H), inverse Simpson and the largest share."""
    ps = list(shares(times).values())
    n = len(ps)
    h = entropy(ps)
    spoken = sum(ps) > 0
    return {
        "gini": gini(list(times.values())),
        "entropy_norm": h / math.log(n) if n > 1 and spoken else 0.0,
        "effective_speakers": math.exp(h) if spoken else 0.0,
        "inverse_simpson": 1.0 / sum(p * p for p in ps) if spoken else 0.0,
        "largest_share": max(ps) if ps else 0.0,
    }


def transition_matrix(floor: Sequence[FloorTurn]) -> dict[str, dict[str, int]]:
    """M[a][b] = number of times b took the floor right after a (a != b)."""
    matrix: dict[str, dict[str, int]] = {}
    for prev, cur in zip(floor, floor[1:]):
        if prev.speaker != cur.speaker:
            row = matrix.setdefault(prev.speaker, {})
            row[cur.speaker] = row.get(cur.speaker, 0) + 1
    return matrix


def graph_indices(matrix: Mapping[str, Mapping[str, int]], people: Sequence[str]) -> dict[str, float | str | None]:
    """Hub, hub share, spoke-to-spoke share, reciprocity and Freeman in-strength centralization."""
    total = sum(n for row in matrix.values() for n in row.values())
    if total == 0:
        return {"hub": None, "hub_share": 0.0, "spoke_to_spoke_share": 0.0, "reciprocity": 0.0,
                "centralization": 0.0}
    strength = {p: 0 for p in people}
    in_strength = {p: 0 for p in people}
    for a, row in matrix.items():
        for b, n in row.items():
            strength[a] = strength.get(a, 0) + n
            strength[b] = strength.get(b, 0) + n
            in_strength[b] = in_strength.get(b, 0) + n
    hub = min(strength, key=lambda p: (-strength[p], p))
    touching = strength[hub]
    mutual = sum(min(n, matrix.get(b, {}).get(a, 0)) for a, row in matrix.items() for b, n in row.items())
    nodes = len(in_strength)
    s_max = max(in_strength.values())
    central = (sum(s_max - s for s in in_strength.values()) / ((nodes - 1) * total)) if nodes > 1 else 0.0
    return {"hub": hub, "hub_share": touching / total, "spoke_to_spoke_share": (total - touching) / total,
            "reciprocity": mutual / total, "centralization": central}


def turn_taking_index(floor_speakers: Sequence[str]) -> float:
    """(runs - 1) / (utterances - 1): 0 one speaker throughout, 1 strict alternation."""
    if len(floor_speakers) <= 1:
        return 0.0
    runs = 1 + sum(1 for a, b in zip(floor_speakers, floor_speakers[1:]) if a != b)
    return (runs - 1) / (len(floor_speakers) - 1)
