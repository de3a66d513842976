"""The shared-trunk embedding loop (``[diarization] shared_trunk_s``) with a fake embedder (no models).

With a trunk that works frame by frame and an embedding that ignores a constant offset (a
weighted standard deviation), running the trunk once over a span and slicing each chunk's frames
must give exactly what one pass per chunk gives: so these tests check the grouping into spans,
the frame offsets, the zero padding at the end and the silent chunks and speakers, not CAM++'s
numerics (that is tests/integration/test_speed_real.py, on real audio).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from analyzer.adapters.speaker_embeddings import (
    FBANK_HOP, TRUNK_HOP, embed_chunks, embed_chunks_shared, shared_spans,
)

RATE = 16_000
WINDOW = 10 * RATE
FRAMES = 589  # segmentation frames per chunk, as segmentation-3.0 gives


class FrameWiseEmbedder:
    """fbank: log energy and zero crossings of each 25 ms frame; trunk: every other frame through a
    fixed pointwise map; embedding: weighted standard deviation per channel (offset-invariant)."""

    dimension = 3

    def __init__(self) -> None:
        self.trunk_frames: list[int] = []

    def features(self, waveforms: torch.Tensor) -> torch.Tensor:
        frames = waveforms[:, 0].unfold(-1, 400, FBANK_HOP)  # (batch, frames, 400)
        energy = torch.log(frames.square().mean(-1) + 1e-6)
        crossings = (frames[..., 1:] * frames[..., :-1] < 0).float().mean(-1)
        return torch.stack([energy, crossings], dim=-1)

    def trunk_features(self, features: torch.Tensor) -> torch.Tensor:
        self.trunk_frames.append(features.shape[0] * features.shape[1])
        x = features[:, ::2, :]  # stride 2, like CAM++'s first TDNN (ceil(frames / 2) frames)
        mixed = torch.stack([x[..., 0], x[..., 1], x[..., 0] - 2 * x[..., 1]], dim=1)
        return mixed  # (batch, 3, frames / 2)

    def pool_embed(self, hidden: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        weights = F.interpolate(weights, size=hidden.shape[-1], mode="nearest")  # as pyannote's StatsPool
        w = weights[:, :, None, :]  # (batch, speakers, 1, t)
        h = hidden[:, None, :, :]
        total = w.sum(-1) + 1e-8
        mean = (h * w).sum(-1) / total
        return (((h - mean[..., None]) ** 2 * w).sum(-1) / total).sqrt()

    def silent_embedding(self) -> torch.Tensor:
        return torch.full((3,), -1.0)


def _recording(seconds: float, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = np.sin(2 * np.pi * (120 + 80 * np.sin(t / 3)) * t) * (1 + 0.5 * np.sin(t * 1.7))
    return torch.from_numpy((0.3 * voice + 0.05 * rng.standard_normal(t.size)).astype(np.float32))[None]


def _masks(num_chunks: int, silent: set[int], seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    masks = (rng.random((num_chunks, FRAMES, 3)) < 0.4).astype(np.float32)
    masks[:, :, 2] = 0  # the third local speaker never speaks
    for c in silent:
        masks[c] = 0
    masks[3, :10, 1] = np.nan  # NaN counts as 0
    return masks


@pytest.mark.parametrize("span_s", [10.0, 14.0, 30.0, 60.0])
def test_shared_trunk_equals_per_chunk_for_a_framewise_trunk(span_s):
    waveform = _recording(71.3)  # the last chunks run past the end: zero padded in both paths
    starts = [c * RATE for c in range(63)]
    masks = _masks(len(starts), silent={5, 20, 21, 22})
    model = FrameWiseEmbedder()
    expected = embed_chunks(model, waveform, starts, WINDOW, masks, batch_size=4)
    per_chunk_frames = sum(model.trunk_frames)
    model.trunk_frames.clear()
    calls = []
    shared = embed_chunks_shared(model, waveform, starts, WINDOW, masks, span_s=span_s, sample_rate=RATE,
                                 progress=lambda done, total: calls.append((done, total)))
    assert shared.shape == expected.shape == (63, 3, 3)
    np.testing.assert_allclose(shared, expected, rtol=1e-5, atol=1e-5)
    assert np.all(shared[5] == -1.0) and np.all(shared[:, 2] == -1.0)  # silent chunk, silent speaker
    assert calls and calls[-1][0] == calls[-1][1] == len(model.trunk_frames)
    if span_s >= 30.0:  # each second through the trunk about twice instead of ten times
        assert sum(model.trunk_frames) < per_chunk_frames / 3, (sum(model.trunk_frames), per_chunk_frames)


def test_spans_hold_every_chunk_once_with_its_margins():
    starts = [c * RATE for c in range(40)] + [c * RATE for c in range(70, 90)]  # 30 s of silence left out
    total = 100 * RATE
    span, margin = 30 * RATE, 2 * RATE
    spans = shared_spans(starts, WINDOW, span, margin, total)
    members = sorted(i for _, _, group in spans for i in group)
    assert members == list(range(len(starts)))
    for first, end, group in spans:
        assert end - first <= span
        assert (starts[group[0]] - first) % TRUNK_HOP == 0
        for i in group:
            assert first <= starts[i] and starts[i] + WINDOW <= end
            assert starts[i] - first >= min(margin, starts[i])  # context before, but for the recording's start
            assert end - starts[i] - WINDOW >= min(margin, total - starts[i] - WINDOW)
    assert not any(39 in g and 40 in g for _, _, g in spans), "a silent stretch opens a new span"


def test_a_span_no_longer_than_a_chunk_runs_one_chunk_per_pass():
    starts = [c * RATE for c in range(12)]
    spans = shared_spans(starts, WINDOW, WINDOW, 0, 30 * RATE)
    assert [g for _, _, g in spans] == [[i] for i in range(12)]
