"""One embedding per (chunk, local speaker), computed once per chunk that has speech.

pyannote 4.0.7's ``get_embeddings`` feeds the embedding model every (chunk, local speaker)
pair, silent speakers and silent chunks included, and each pair carries its own copy of
the chunk. This loop gives the same numbers with less work:

* a chunk where no local speaker is active is never embedded (the segmentation model is the
  voice activity detector: silence costs nothing here);
* the CAM++ trunk runs once per chunk with speech, and every local speaker of that chunk is
  pooled from that one pass with its own mask (exactly what the per-pair loop computes, since
  the mask only enters at the pooling: CAM++'s context-aware masking takes its means over the
  whole chunk either way);
* the Kaldi fbank of overlapping chunks is computed once over the span they cover and sliced
  (each fbank frame depends only on its own 25 ms of samples, so the slices are the frames a
  per-chunk fbank gives), then each chunk's own mean is removed;
* a silent local speaker of an active chunk gets the embedding pyannote's pooling gives an
  all-zero mask (zero statistics through the final layer), without running the network.

With ``[diarization] shared_trunk_s`` set, :func:`embed_chunks_shared` goes further and runs the
trunk once over spans of that many seconds instead of once per chunk (an approximation: see
its docstring and docs/benchmarks.md for what it changes).

Torch only (no pyannote import): :mod:`analyzer.adapters.diarize` calls :func:`embed_chunks`
or :func:`embed_chunks_shared`.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np
import torch

FBANK_HOP = 160  # samples between Kaldi fbank frames at 16 kHz (10 ms)
TRUNK_HOP = 2 * FBANK_HOP  # samples between CAM++ trunk frames (its first TDNN has stride 2)
SHARED_MARGIN_S = 2.0  # a shared span gives each chunk at least this much context on either side


class ChunkEmbedder(Protocol):
    """What :func:`embed_chunks` needs from the embedding model (CAM++ in :mod:`analyzer.adapters.diarize`)."""

    dimension: int

    def features(self, waveforms: torch.Tensor) -> torch.Tensor:
        """(batch, 1, samples) -> fbank (batch, frames, bins), without mean removal."""

    def trunk_features(self, features: torch.Tensor) -> torch.Tensor:
        """Mean-removed fbank (batch, frames, bins) -> frame-level features (batch, channels, t)."""

    def pool_embed(self, hidden: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """(batch, channels, t) and masks (batch, speakers, frames) -> (batch, speakers, dim)."""

    def silent_embedding(self) -> torch.Tensor:
        """(dim,): the embedding that pooling with an all-zero mask gives."""


def embed_chunks(model: ChunkEmbedder, waveform: torch.Tensor, starts: Sequence[int], window: int,
                 masks: np.ndarray, *, batch_size: int = 8,
                 progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embeddings (chunks, speakers, dim) float32 of every chunk's local speakers.

    Args:
        model: the embedding model.
        waveform: (1, samples) float32 audio.
        starts: first sample of each chunk (a chunk may run past the end: it is zero padded).
        window: samples per chunk.
        masks: (chunks, frames, speakers) segmentation masks (NaN counts as 0).
        batch_size: chunks per network pass.
        progress: called with (batches done, batches in all).
    """
    masks = np.nan_to_num(np.asarray(masks, dtype=np.float32), nan=0.0)
    num_chunks, _, num_speakers = masks.shape
    active_pairs = masks.sum(axis=1) > 0  # (chunks, speakers)
    active_chunks = np.flatnonzero(active_pairs.any(axis=1))
    with torch.inference_mode():
        silent_row = model.silent_embedding().reshape(-1).cpu().numpy()
        embeddings = np.broadcast_to(silent_row, (num_chunks, num_speakers, len(silent_row))).copy()
        batches = [active_chunks[i:i + batch_size] for i in range(0, len(active_chunks), batch_size)]
        for done, batch in enumerate(batches, 1):
            features = _batch_features(model, waveform, [starts[c] for c in batch], window)
            features = features - features.mean(dim=1, keepdim=True)
            hidden = model.trunk_features(features)
            weights = torch.from_numpy(np.ascontiguousarray(masks[batch].transpose(0, 2, 1))).to(hidden.device)
            pooled = model.pool_embed(hidden, weights).cpu().numpy()  # (batch, speakers, dim)
            embeddings[batch] = np.where(active_pairs[batch][..., None], pooled, silent_row)
            if progress is not None:
                progress(done, len(batches))
    return embeddings


def shared_spans(starts: Sequence[int], window: int, span: int, margin: int,
                 total: int) -> list[tuple[int, int, list[int]]]:
    """Group chunks into spans of at most ``span`` samples: ``[(first sample, end, chunk indices)]``.

    Chunks are taken in order of their start; each span reaches ``margin`` samples before its
    first chunk and after its last one (clipped to ``[0, total]``), so every chunk has that much
    context on both sides except at the ends of the recording. A chunk that starts more than
    ``window`` after the previous one (a silent stretch left out) opens a new span. The spans'
    first samples keep the chunks' offsets within them on the trunk's frame grid when the chunk
    starts are on it (a step of 1 s is 50 trunk frames).
    """
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    margin = margin // TRUNK_HOP * TRUNK_HOP
    groups: list[list[int]] = []
    for index in order:
        group = groups[-1] if groups else None
        if group and starts[index] - starts[group[-1]] <= window and \
                starts[index] + window + margin - (starts[group[0]] - margin) <= span:
            group.append(index)
        else:
            groups.append([index])
    spans = []
    for group in groups:
        first = starts[group[0]] - margin
        if first < 0:  # the recording's start: as close to it as the frame grid allows
            first = starts[group[0]] % TRUNK_HOP if starts[group[0]] >= 0 else starts[group[0]]
        end = min(max(total, starts[group[-1]] + window), starts[group[-1]] + window + margin)
        spans.append((first, end, group))
    return spans


def embed_chunks_shared(model: ChunkEmbedder, waveform: torch.Tensor, starts: Sequence[int], window: int,
                        masks: np.ndarray, *, span_s: float, sample_rate: int = 16_000,
                        margin_s: float = SHARED_MARGIN_S,
                        progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Like :func:`embed_chunks`, but the trunk runs once per span of ``span_s`` seconds, not per chunk.

    Each chunk's local speakers are pooled (the model's own masked statistics pooling and final
    layer) over that chunk's frames of the trunk output of the span that holds it. Not the
    per-chunk numbers: the fbank mean removed is the span's, CAM++'s context-aware masks take
    their means over the span (or over ``[diarization] trunk_context_s`` around each frame, 10 s
    by default, set on the model: about what one chunk's pass gives), and the convolutions see
    across the chunk's borders (the embeddings' cosine similarity to the per-chunk ones is in
    docs/benchmarks.md). At a 1 s step
    and spans of 30 s each second of audio goes through the trunk about twice instead of ten times.
    """
    masks = np.nan_to_num(np.asarray(masks, dtype=np.float32), nan=0.0)
    num_chunks, _, num_speakers = masks.shape
    active_pairs = masks.sum(axis=1) > 0
    active_chunks = [int(c) for c in np.flatnonzero(active_pairs.any(axis=1))]
    span = max(int(round(span_s * sample_rate)), window)
    margin = int(round(margin_s * sample_rate))
    if 2 * margin > span - window:  # a span shorter than a chunk and its margins: narrower margins
        margin = (span - window) // 2
    total = waveform.shape[-1]
    frames = (_frames_in(window) + 1) // 2  # trunk frames of one chunk (stride 2, padded)
    with torch.inference_mode():
        silent_row = model.silent_embedding().reshape(-1).cpu().numpy()
        embeddings = np.broadcast_to(silent_row, (num_chunks, num_speakers, len(silent_row))).copy()
        spans = shared_spans([starts[c] for c in active_chunks], window, span, margin, total)
        for done, (first, end, members) in enumerate(spans, 1):
            chunks = [active_chunks[m] for m in members]
            features = model.features(_padded_chunk(waveform, first, end - first)[None])
            features = features - features.mean(dim=1, keepdim=True)
            hidden = model.trunk_features(features)[0]  # (channels, span frames)
            rows = []
            for c in chunks:
                offset = min(int(round((starts[c] - first) / TRUNK_HOP)), hidden.shape[-1] - frames)
                rows.append(hidden[:, offset:offset + frames])
            weights = torch.from_numpy(np.ascontiguousarray(masks[chunks].transpose(0, 2, 1))).to(hidden.device)
            pooled = model.pool_embed(torch.stack(rows), weights).cpu().numpy()
            embeddings[chunks] = np.where(active_pairs[chunks][..., None], pooled, silent_row)
            if progress is not None:
                progress(done, len(spans))
    return embeddings


def _batch_features(model: ChunkEmbedder, waveform: torch.Tensor, starts: list[int], window: int) -> torch.Tensor:
    """Fbank (batch, frames, bins) of each chunk; runs of overlapping in-range chunks share one pass."""
    total = waveform.shape[-1]
    rows: list[torch.Tensor | None] = [None] * len(starts)
    runs: list[list[int]] = []
    for index, start in enumerate(starts):
        inside = start >= 0 and start + window <= total
        if not inside:
            rows[index] = model.features(_padded_chunk(waveform, start, window)[None])[0]
            continue
        run = runs[-1] if runs else None
        if run and (start - starts[run[0]]) % FBANK_HOP == 0 and start - starts[run[-1]] < window:
            run.append(index)
        else:
            runs.append([index])
    for run in runs:
        first, last = starts[run[0]], starts[run[-1]]
        span = model.features(waveform[:, first:last + window][None])[0]  # (frames, bins)
        frames = _frames_in(window)
        for index in run:
            offset = (starts[index] - first) // FBANK_HOP
            rows[index] = span[offset:offset + frames]
    return torch.stack(rows)  # type: ignore[arg-type]


def _frames_in(samples: int, frame_length: int = 400) -> int:
    """Kaldi fbank frames of a signal (25 ms frames every 10 ms, edges snipped)."""
    return 1 + (samples - frame_length) // FBANK_HOP


def _padded_chunk(waveform: torch.Tensor, start: int, window: int) -> torch.Tensor:
    """(1, window) samples from ``start``, zero padded where the chunk leaves the recording."""
    total = waveform.shape[-1]
    begin, end = max(0, start), min(total, start + window)
    chunk = waveform[:, begin:end]
    return torch.nn.functional.pad(chunk, (begin - start, start + window - end))
