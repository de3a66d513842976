"""The shared CAM++ trunk (``[diarization] shared_trunk_s``, the default) on real audio, pinned models.

Not the per-chunk numbers by construction (the fbank mean and CAM++'s convolutions see the whole
span, not the chunk; its context-aware masks see 10 s around each frame, about what a chunk gives):
the test bounds how far the embeddings of every active local speaker move, in cosine similarity to
the per-chunk ones (``shared_trunk_s = 0``), prints it, and checks that on the sample the
clustering then gives every local speaker the same person and the same cluster number (clusters are
numbered in order of appearance), so the diarization is the per-chunk one frame for frame.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SAMPLES
from tests.integration.test_speed_real import _labels, _segmented

pytestmark = pytest.mark.integration

# cosine similarity of each active local speaker's embedding to its per-chunk one on the sample, with
# the default 10 s local context of CAM++'s masks (`trunk_context_s`): mean 0.978, lowest 0.853 (with
# the whole span's context, before 2026-12-02: mean 0.972, lowest 0.882); measured on the AVX-512 AMD
# EPYC machine, ONNX Runtime, and the same to 4 digits on the forced AVX2 + oneDNN path (docs/benchmarks.md).
# Kernel paths move embeddings by about 1e-5, so the bounds' margins are against other changes, not CPUs.
MIN_COSINE = 0.82
MEAN_COSINE = 0.97


def test_shared_trunk_stays_close_to_the_per_chunk_embeddings_and_labels(real_analyzer):
    import torch

    diarizer = real_analyzer.diarizer
    pipeline = diarizer.pipeline
    assert pipeline.shared_trunk_s == diarizer.config.shared_trunk_s > 0, "the shared trunk is the default"
    diarizer._instantiate(diarizer.config)
    file, binarized = _segmented(pipeline, SAMPLES / "pyannote-sample" / "sample.wav")
    active = binarized.data.sum(axis=1) > 0
    span = pipeline.shared_trunk_s
    try:
        pipeline.shared_trunk_s = 0.0
        with torch.inference_mode():
            per_chunk = pipeline.get_embeddings(file, binarized)
    finally:
        pipeline.shared_trunk_s = span
    with torch.inference_mode():
        shared = pipeline.get_embeddings(file, binarized)
    a, b = per_chunk[active], shared[active]
    cosine = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    print(f"shared trunk ({span:g} s spans) vs per chunk on the sample: cosine mean {cosine.mean():.4f}, "
          f"1st percentile {np.percentile(cosine, 1):.4f}, min {cosine.min():.4f} ({cosine.size} local speakers)")
    assert cosine.min() >= MIN_COSINE, f"lowest cosine {cosine.min():.4f} (bound {MIN_COSINE})"
    assert cosine.mean() >= MEAN_COSINE, f"mean cosine {cosine.mean():.4f} (bound {MEAN_COSINE})"
    ours, theirs = _labels(pipeline, shared, binarized), _labels(pipeline, per_chunk, binarized)
    moved = int((ours != theirs)[active].sum())
    print(f"local speakers given another cluster than per chunk: {moved} of {int(active.sum())}")
    assert len(np.unique(ours[active])) == 2
    assert np.array_equal(ours, theirs), f"{moved} local speakers moved"  # so the same reconstruction
