"""Speaker diarization with pyannote.audio: the only module that imports pyannote.

Telemetry is switched off before pyannote is first imported. The pipeline is
pyannote's ``SpeakerDiarization`` with the pinned segmentation-3.0 model, the
CAM++ speaker embedding (:mod:`analyzer.adapters.campplus`, wrapped as a pyannote ``Model``)
and agglomerative clustering. Audio is handed over in memory (no torchcodec). On the CPU both
networks run in ONNX Runtime when it is usable (:mod:`analyzer.adapters.onnx_models`): CAM++'s
trunk inside the embedding model, segmentation-3.0 in place of its torch forward.
"""

from __future__ import annotations

import os

os.environ["PYANNOTE_METRICS_ENABLED"] = "0"  # pyannote 4 ships telemetry on; must precede its import

from dataclasses import replace  # noqa: E402
import logging  # noqa: E402
from pathlib import Path  # noqa: E402
import threading  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchaudio.compliance.kaldi as kaldi  # noqa: E402
from pyannote.audio import Model  # noqa: E402
from pyannote.audio.core.plda import PLDA  # noqa: E402
from pyannote.audio.models.blocks.pooling import StatsPool  # noqa: E402
from pyannote.audio.pipelines import SpeakerDiarization  # noqa: E402
from pyannote.audio.pipelines.utils import SpeakerDiarizationMixin  # noqa: E402
from pyannote.audio.utils.reproducibility import fix_reproducibility  # noqa: E402
from pyannote.core import Annotation, SlidingWindow, SlidingWindowFeature  # noqa: E402

from analyzer.adapters.audio import SAMPLE_RATE, LoadedAudio  # noqa: E402
from analyzer.adapters.campplus import CAMPPlus  # noqa: E402
from analyzer.adapters.clustering import (ChunkFeatures, cluster_chunks, clustering_params,  # noqa: E402
                                          crop_segments, in_order_of_appearance)
from analyzer.adapters.speaker_confidence import (  # noqa: E402
    assignment_quality, confidence_from_assignment, with_confidence,
)
from analyzer.adapters.model_registry import load_manifest, resolve_model_path  # noqa: E402
from analyzer.core.config import DiarizationConfig  # noqa: E402
from analyzer.core.errors import ModelError  # noqa: E402
from analyzer.core.progress import Hook, null_hook  # noqa: E402
from analyzer.core.schema import Diarization, ModelRef, SpeakerSegment  # noqa: E402
from analyzer.adapters.clustering_cap import capped  # noqa: E402
from analyzer.adapters.onnx_models import OnnxGraph, load_onnx_segmentation, load_onnx_trunk  # noqa: E402
from analyzer.adapters.pauses import frame_levels, without_pauses  # noqa: E402
from analyzer.adapters.speaker_embeddings import TRUNK_HOP, embed_chunks, embed_chunks_shared  # noqa: E402

log = logging.getLogger(__name__)


def resolve_device(device: str) -> str:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU is a clear error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda was asked for but no CUDA GPU is available; use --device cpu")
    return device


class CamPlusPlusEmbedding(Model):
    """CAM++ as a pyannote embedding ``Model``: waveforms (batch, 1, samples) -> (batch, 192).

    ``weights`` (batch, frames) from the segmentation masks weight the statistics pooling,
    so one embedding describes one local speaker of a chunk.
    """

    def __init__(self, sample_rate: int = SAMPLE_RATE, num_channels: int = 1) -> None:
        super().__init__(sample_rate=sample_rate, num_channels=num_channels)
        self.network = CAMPPlus()
        self.pool = StatsPool()
        self.onnx: OnnxGraph | None = None  # ONNX Runtime runs the trunk on the CPU when set
        self.onnx_threads = 1

    @property
    def dimension(self) -> int:
        return 192

    def features(self, waveforms: torch.Tensor) -> torch.Tensor:
        """80-bin Kaldi fbank of each waveform (batch, 1, samples): (batch, frames, 80), mean kept."""
        return torch.stack([kaldi.fbank(w[:1], num_mel_bins=80, sample_frequency=self.hparams.sample_rate,
                                        dither=0.0) for w in waveforms])

    def fbank(self, waveforms: torch.Tensor) -> torch.Tensor:
        """80-bin Kaldi fbank with per-utterance mean removal: (batch, frames, 80)."""
        feats = self.features(waveforms)
        return feats - feats.mean(dim=1, keepdim=True)

    def trunk_features(self, features: torch.Tensor) -> torch.Tensor:
        """Frame-level features before pooling from mean-removed fbank: (batch, channels, frames / 2)."""
        if self.onnx is not None and features.device.type == "cpu":
            return self.onnx(features, self.onnx_threads)
        return self.torch_trunk(features)

    def torch_trunk(self, features: torch.Tensor) -> torch.Tensor:
        """:meth:`trunk_features` in torch (what the ONNX graph is exported from)."""
        hidden = self.network.head(features.transpose(1, 2))
        for name, layer in self.network.xvector.named_children():
            if name == "stats":
                break
            hidden = layer(hidden)
        return hidden

    def trunk(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Frame-level features before pooling: (batch, channels, frames / 2)."""
        return self.trunk_features(self.fbank(waveforms))

    def pool_embed(self, hidden: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Each local speaker's embedding from one trunk pass: masks (batch, speakers, frames)
        -> (batch, speakers, 192)."""
        pooled = self.pool(hidden, weights=weights)  # (batch, speakers, 2 * channels)
        batch, speakers, stats = pooled.shape
        return self.network.xvector.dense(pooled.reshape(batch * speakers, stats)).reshape(batch, speakers, -1)

    def silent_embedding(self) -> torch.Tensor:
        """What pooling with an all-zero mask gives (zero mean and deviation): (192,)."""
        stats = self.network.xvector.dense.linear.in_channels
        return self.network.xvector.dense(torch.zeros(1, stats))[0]

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        if weights is None:
            return self.network.xvector.dense(self.pool(self.trunk(waveforms)))
        # pyannote asks for one embedding per (chunk, local speaker): the same chunk arrives
        # once per speaker, consecutively. Run the network once per distinct active chunk and
        # pool with each speaker's weights: same numbers, about 3x less work.
        groups = _consecutive_groups(waveforms)
        active = [bool(weights[start:end].sum() > 0) for start, end in groups]
        hidden_rows: list[torch.Tensor | None] = [None] * len(groups)
        wanted = [i for i, is_active in enumerate(active) if is_active]
        if wanted:
            computed = self.trunk(torch.stack([waveforms[groups[i][0]] for i in wanted]))
            for row, i in enumerate(wanted):
                hidden_rows[i] = computed[row]
        template = next((h for h in hidden_rows if h is not None), None)
        if template is None:  # no speech in any chunk of this batch: embeddings are unused
            return torch.full((len(waveforms), self.dimension), float("nan"))
        hidden = torch.stack([
            (hidden_rows[g] if hidden_rows[g] is not None else torch.zeros_like(template))
            for g, (start, end) in enumerate(groups) for _ in range(start, end)])
        return self.network.xvector.dense(self.pool(hidden, weights=weights))


def _consecutive_groups(waveforms: torch.Tensor) -> list[tuple[int, int]]:
    """(start, end) index ranges of runs of identical consecutive waveforms in a batch."""
    groups, start = [], 0
    for index in range(1, len(waveforms) + 1):
        if index == len(waveforms) or not torch.equal(waveforms[index], waveforms[start]):
            groups.append((start, index))
            start = index
    return groups


def trunk_context_frames(seconds: float) -> int:
    """CAM++ trunk frames (20 ms each) in ``[diarization] trunk_context_s`` seconds (0: the whole pass)."""
    return int(round(seconds * SAMPLE_RATE / TRUNK_HOP)) if seconds > 0 else 0


def feature_tag(config: DiarizationConfig) -> str:
    """What of the embedding settings goes into a cached features file's name (besides the step)."""
    if config.shared_trunk_s <= 0:
        return ""
    context = f"-context{config.trunk_context_s:g}" if config.trunk_context_s > 0 else ""
    return f"-shared{config.shared_trunk_s:g}{context}"


def load_campplus(weights_file: str) -> CamPlusPlusEmbedding:
    model = CamPlusPlusEmbedding()
    state = torch.load(weights_file, map_location="cpu", weights_only=True)
    model.network.load_state_dict(state, strict=True)
    return model.eval()


class _Seen:
    """What one pipeline run produced on the way, kept for the per-speaker confidence: the
    chunk embeddings, the segmentation the clustering saw, the final assignment of every local
    speaker and the labels of the overlapping track before pyannote renames them."""

    def __init__(self) -> None:
        self.embeddings: np.ndarray | None = None
        self.segmentations: np.ndarray | None = None
        self.hard: np.ndarray | None = None
        self.labels: list | None = None


class _SpeakerDiarization(SpeakerDiarization):
    """pyannote's pipeline with :func:`analyzer.adapters.speaker_embeddings.embed_chunks` as its embedding
    loop: the same embeddings, computed once per chunk with speech instead of once per
    (chunk, local speaker) pair, silent chunks skipped. While :attr:`seen` holds a :class:`_Seen`
    (per thread), a run records into it what the confidence is computed from; it changes nothing."""

    _local = threading.local()
    shared_trunk_s = 0.0  # > 0: CAM++'s trunk once per span of this many seconds (embed_chunks_shared), from the config

    @property
    def seen(self) -> _Seen | None:
        return getattr(self._local, "seen", None)

    @seen.setter
    def seen(self, value: _Seen | None) -> None:
        self._local.seen = value

    def get_embeddings(self, file, binary_segmentations, exclude_overlap: bool = False, hook=None):
        embeddings = self._embeddings(file, binary_segmentations, exclude_overlap, hook)
        if self.seen is not None:
            self.seen.embeddings = embeddings
        return embeddings

    def to_annotation(self, discrete_diarization, min_duration_on: float = 0.0, min_duration_off: float = 0.0):
        annotation = SpeakerDiarizationMixin.to_annotation(discrete_diarization, min_duration_on=min_duration_on,
                                                           min_duration_off=min_duration_off)
        if self.seen is not None and self.seen.labels is None:  # the first one is the overlapping track
            self.seen.labels = list(annotation.labels())
        return annotation

    def _embeddings(self, file, binary_segmentations, exclude_overlap: bool, hook):
        model = getattr(self._embedding, "model_", None)
        if exclude_overlap or self.training or not isinstance(model, CamPlusPlusEmbedding):
            return super().get_embeddings(file, binary_segmentations, exclude_overlap=exclude_overlap, hook=hook)
        window = binary_segmentations.sliding_window
        rate = file["sample_rate"]
        starts = [self._audio.get_num_samples(window[c].start, rate) for c in range(len(binary_segmentations))]
        waveform = file["waveform"].to(next(model.parameters()).device)

        def progress(done: int, total: int) -> None:
            if hook is not None:
                hook("embeddings", None, total=total, completed=done)

        samples = self._audio.get_num_samples(window.duration, rate)
        if self.shared_trunk_s > 0:
            return embed_chunks_shared(model, waveform, starts, samples, binary_segmentations.data,
                                       span_s=self.shared_trunk_s, sample_rate=rate, progress=progress)
        return embed_chunks(model, waveform, starts, samples, binary_segmentations.data,
                            batch_size=self.embedding_batch_size, progress=progress)

    def reconstruct(self, segmentations, hard_clusters: np.ndarray, count):
        """pyannote's ``reconstruct`` with a float32 buffer (its float64 one is chunks x 589 frames x
        clusters x 8 bytes: 0.5 GB for 4 hours). The values are 0/1 activations: same result."""
        if self.seen is not None and self.seen.hard is None:  # called after the final assignment
            self.seen.segmentations, self.seen.hard = segmentations.data, np.array(hard_clusters)
        num_chunks, num_frames, _ = segmentations.data.shape
        clustered = np.full((num_chunks, num_frames, int(np.max(hard_clusters)) + 1), np.nan, dtype=np.float32)
        for c, (cluster, (_, segmentation)) in enumerate(zip(hard_clusters, segmentations)):
            for k in np.unique(cluster):
                if k != -2:
                    clustered[c, :, k] = np.max(segmentation[:, cluster == k], axis=1)
        return self.to_diarization(SlidingWindowFeature(clustered, segmentations.sliding_window), count)


class _NoPLDA(PLDA):
    """Stands for 'no PLDA': pyannote's constructor requires one, agglomerative clustering never
    calls it (VBx needs a PLDA trained for its own embedding, which CAM++ does not have)."""

    def __init__(self) -> None:  # noqa: D107 - deliberately loads nothing
        pass

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        raise ModelError("PLDA is not available with the CAM++ embedding; use agglomerative clustering")


class PyannoteDiarizer:
    """Loads the pinned models once; :meth:`diarize` runs on 16 kHz mono audio in memory."""

    def __init__(self, config: DiarizationConfig | None = None, device: str = "auto", onnx: bool = True) -> None:
        self.config = config or DiarizationConfig()
        self.device = resolve_device(device)
        specs = load_manifest()
        seg_dir = resolve_model_path("segmentation-3.0", "segmentation")
        emb_dir = resolve_model_path("campplus", "embedding")
        self.models = tuple(ModelRef(name=n, role=specs[n].role, source=specs[n].source_label,
                                     sha256=specs[n].main_sha256) for n in ("segmentation-3.0", "campplus"))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                segmentation = Model.from_pretrained(str(seg_dir / "pytorch_model.bin"))
            embedding = load_campplus(str(emb_dir / "campplus_cn_en_common.pt"))
        except Exception as exc:  # corrupt or incompatible weights
            raise ModelError(f"cannot load the diarization models from {seg_dir.parent} ({exc}); "
                             "run `floorshare models fetch --force`") from None
        embedding.network.set_context(trunk_context_frames(self.config.trunk_context_s))
        self.segmentation_onnx: OnnxGraph | None = None  # ONNX Runtime runs segmentation on the CPU when set
        if onnx and self.device == "cpu":
            embedding.onnx = load_onnx_trunk(embedding, specs["campplus"].main_sha256)  # with the context just set
            self.segmentation_onnx = load_onnx_segmentation(segmentation, specs["segmentation-3.0"].main_sha256)
        self._segment_in_torch = segmentation.forward
        segmentation.forward = self._segment  # what pyannote's Inference calls, batch after batch
        self.campplus = embedding
        self.pipeline = _SpeakerDiarization(
            clustering="AgglomerativeClustering", plda=_NoPLDA(), segmentation=segmentation, embedding=embedding,
            segmentation_step=self.config.segmentation_step,
            segmentation_batch_size=self.config.segmentation_batch_size,
            embedding_batch_size=self.config.embedding_batch_size)
        self.pipeline.shared_trunk_s = self.config.shared_trunk_s
        self._instantiated: tuple | None = None
        self._cluster = self.pipeline.clustering.cluster  # the clustering itself, before the memory cap
        self._wrap_clustering(self.config)
        self.pipeline.to(torch.device(self.device))

    def set_threads(self, threads: int) -> None:
        """Torch's CPU threads for the calling thread's work from now on (0: leave as is)."""
        if self.device == "cpu" and threads > 0:
            self.campplus.onnx_threads = threads
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)

    def _segment(self, waveforms: torch.Tensor) -> torch.Tensor:
        """segmentation-3.0 on a batch of chunks (batch, 1, samples): in ONNX Runtime on the CPU
        (with the embedding's thread count), else in torch."""
        if self.segmentation_onnx is not None and waveforms.device.type == "cpu":
            return self.segmentation_onnx(waveforms, self.campplus.onnx_threads)
        return self._segment_in_torch(waveforms)

    def _instantiate(self, config: DiarizationConfig) -> None:
        key = (config.clustering_threshold, config.min_cluster_size)
        if key != self._instantiated:
            self.pipeline.instantiate({
                "segmentation": {"min_duration_off": 0.0},
                "clustering": {"method": "centroid", "min_cluster_size": config.min_cluster_size,
                               "threshold": config.clustering_threshold},
            })
            self._instantiated = key

    def _wrap_clustering(self, config: DiarizationConfig) -> None:
        """pyannote's clustering under the memory cap, its clusters numbered in order of appearance."""
        cluster = capped(self._cluster, config.max_clustered_embeddings)

        def clustering(embeddings: np.ndarray, *args, **kwargs) -> np.ndarray:
            return in_order_of_appearance(cluster(embeddings, *args, **kwargs))

        self.pipeline.clustering.cluster = clustering

    def diarize(self, audio: LoadedAudio, *, hook: Hook = null_hook,
                config: DiarizationConfig | None = None) -> Diarization:
        """Who spoke when, as an overlapping and an exclusive track."""
        config = config or self.config
        self._instantiate(config)
        self._wrap_clustering(config)
        waveform = torch.from_numpy(np.ascontiguousarray(audio.samples)).unsqueeze(0)  # (1, time)
        hook("diarize", 0, 1)
        kwargs = {k: getattr(config, k) for k in ("num_speakers", "min_speakers", "max_speakers")
                  if getattr(config, k) is not None}
        seen = self.pipeline.seen = _Seen()
        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                output = self.pipeline({"waveform": waveform, "sample_rate": SAMPLE_RATE},
                                       hook=_StepHook(hook), **kwargs)
        finally:
            self.pipeline.seen = None
        diarization = to_diarization(output.speaker_diarization, output.exclusive_speaker_diarization,
                                     output.speaker_embeddings, duration=min(audio.duration, audio.recording.duration))
        diarization = confidence_of_run(diarization, seen, config)
        diarization = exclusive_without_pauses(diarization, audio, config)
        hook("diarize", 1, 1)
        return diarization


    def features(self, audio: LoadedAudio, *, hook: Hook = null_hook, cache_dir: str | Path | None = None) -> ChunkFeatures:
        """Segmentation, instantaneous speaker count and embeddings: everything before clustering.

        Used by clustering sweeps (:mod:`analyzer.evaluation.sweep`). With ``cache_dir`` set they are stored there (one ``.npz`` per recording content and
        segmentation step) and read back next time, so clustering can be re-tuned without models.
        """
        cache = None
        if cache_dir is not None:
            models = "".join(m.sha256[:4] for m in self.models)
            shared = feature_tag(self.config)
            cache = Path(cache_dir) / (f"{audio.recording.sha256[:24]}-step{self.config.segmentation_step:g}"
                                            f"{shared}-{len(audio.samples)}-{models}.npz")
            if cache.exists():
                return ChunkFeatures.load(cache)
        waveform = torch.from_numpy(np.ascontiguousarray(audio.samples)).unsqueeze(0)  # (1, time)
        pipeline = self.pipeline
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fix_reproducibility(torch.device(self.device))
            file = pipeline.prepare_one({"waveform": waveform, "sample_rate": SAMPLE_RATE, "uri": "audio"})
            step_hook = pipeline.setup_hook(file, hook=_StepHook(hook))
            segmentations = pipeline.get_segmentations(file, hook=step_hook)
            count = pipeline.speaker_count(segmentations, pipeline._segmentation.model.receptive_field,
                                           warm_up=(0.0, 0.0))
            if np.nanmax(count.data) == 0:
                embeddings = np.full((*segmentations.data.shape[::2], 192), np.nan, dtype=np.float32)
            else:
                embeddings = pipeline.get_embeddings(file, segmentations,
                                                     exclude_overlap=pipeline.embedding_exclude_overlap,
                                                     hook=step_hook)
        chunks, frames = segmentations.sliding_window, count.sliding_window
        features = ChunkFeatures(
            segmentations=np.asarray(segmentations.data, dtype=np.float32),
            embeddings=np.asarray(embeddings, dtype=np.float32),
            count=np.asarray(count.data[:, 0], dtype=np.uint8),
            chunks=(chunks.start, chunks.duration, chunks.step),
            frames=(frames.start, frames.duration, frames.step),
            duration=min(audio.duration, audio.recording.duration))  # what the result reports
        if cache is not None:
            features.save(cache)
        return features

class _StepHook:
    """Maps pyannote's step hook onto our ``hook('diarize', done, total)``.

    Segmentation counts as the first 30 % of the stage, embeddings as the next 65 %.
    """

    SHARES = {"segmentation": (0.0, 0.3), "embeddings": (0.3, 0.65)}

    def __init__(self, hook: Hook) -> None:
        self.hook = hook

    def __call__(self, step_name: str, step_artifact: Any, file: Any = None,
                 total: int | None = None, completed: int | None = None) -> None:
        if step_name not in self.SHARES or not total:
            return
        offset, share = self.SHARES[step_name]
        self.hook("diarize", round(offset + share * (completed or 0) / total, 4), 1)


def to_diarization(overlapping: Annotation, exclusive: Annotation, centroids: np.ndarray | None = None,
                   duration: float | None = None) -> Diarization:
    """Convert pyannote annotations into our schema (sorted by start time).

    ``centroids`` (pyannote's ``speaker_embeddings``: one row per label, in the order of
    ``overlapping.labels()``) become ``Diarization.embeddings``; rows that are all zero
    (a label the clustering gave no centroid) or not finite are left out.
    """
    def segments(annotation: Annotation) -> tuple[SpeakerSegment, ...]:
        items = [SpeakerSegment(round(turn.start, 3), round(turn.end, 3), str(label))
                 for turn, _, label in annotation.itertracks(yield_label=True)]
        items = crop_segments(items, duration) if duration is not None else items  # never past the recording
        return tuple(sorted(items, key=lambda s: (s.start, s.end, s.speaker)))

    overlapping_segments = segments(overlapping)
    speakers = tuple(sorted({s.speaker for s in overlapping_segments}))
    return Diarization(segments=overlapping_segments, exclusive=segments(exclusive), speakers=speakers,
                       embeddings=speaker_embeddings(overlapping.labels(), centroids))


def exclusive_without_pauses(diarization: Diarization, audio: LoadedAudio, config: DiarizationConfig) -> Diarization:
    """The exclusive track with the audible pauses inside each segment taken out (speaking time)."""
    if config.pause_depth_db <= 0 or not diarization.exclusive:
        return diarization
    exclusive = without_pauses(diarization.exclusive, frame_levels(audio.samples, SAMPLE_RATE),
                               depth_db=config.pause_depth_db, min_pause_s=config.pause_min_s)
    return replace(diarization, exclusive=exclusive)


def confidence_of_run(diarization: Diarization, seen: _Seen, config: DiarizationConfig) -> Diarization:
    """The diarization with each speaker's confidence, measured on what pyannote's run produced
    (:func:`analyzer.adapters.speaker_confidence.confidence_from_assignment`: nothing is re-clustered)."""
    if seen.embeddings is None or seen.hard is None or seen.labels is None:
        return diarization  # no speech: pyannote stopped before clustering
    try:
        return confidence_from_assignment(diarization, seen.embeddings, seen.segmentations, seen.hard,
                                          seen.labels, config)
    except (ValueError, IndexError) as exc:  # never lose the diarization over its confidence
        log.warning("speaker confidence not measured (%s); the diarization is kept without it", exc)
        return diarization


def speaker_embeddings(labels: list, centroids: np.ndarray | None) -> dict[str, tuple[float, ...]]:
    """label -> centroid as plain floats, for the rows that hold a usable vector."""
    if centroids is None:
        return {}
    found = {}
    for label, row in zip(labels, np.asarray(centroids, dtype=np.float64)):
        if np.all(np.isfinite(row)) and np.linalg.norm(row) > 1e-8:
            found[str(label)] = tuple(float(x) for x in row)
    return found


def assemble(features: ChunkFeatures, config: DiarizationConfig) -> Diarization:
    """Cluster the chunk features into people and build both tracks (pyannote's reconstruct).

    Pure given the features (no model): used by the diarizer and by clustering sweeps.
    """
    clusters = cluster_chunks(features.embeddings, features.segmentations, clustering_params(config),
                              num_clusters=config.num_speakers, min_clusters=config.min_speakers,
                              max_clusters=config.max_speakers)
    if clusters.centroids.shape[0] == 0:
        return Diarization(segments=(), exclusive=(), speakers=())
    segmentations = SlidingWindowFeature(features.segmentations, SlidingWindow(*_window(features.chunks)))
    count = SlidingWindowFeature(features.count[:, None].astype(np.int8), SlidingWindow(*_window(features.frames)))
    if config.max_speakers is not None or config.num_speakers is not None:
        cap = config.num_speakers or config.max_speakers
        count.data = np.minimum(count.data, cap).astype(np.int8)
    tracks = []
    for limit in (None, 1):
        capped = SlidingWindowFeature(count.data if limit is None else np.minimum(count.data, limit).astype(np.int8),
                                      count.sliding_window)
        discrete = _reconstruct(segmentations, clusters.hard, capped)
        tracks.append(SpeakerDiarizationMixin.to_annotation(discrete, min_duration_on=0.0, min_duration_off=0.0))
    # the count may exceed the clusters (pyannote then adds speakers without a centroid): name them too
    found = {int(k) for track in tracks for k in track.labels()}
    labels = {k: f"SPEAKER_{k:02d}" for k in range(max([clusters.centroids.shape[0], *(k + 1 for k in found)]))}
    overlapping = tracks[0].rename_labels(labels)
    means = {labels[k]: clusters.means[k] for k in range(len(clusters.means))}
    dim = clusters.centroids.shape[1]
    centroids = np.array([means.get(label, np.zeros(dim)) for label in overlapping.labels()]) \
        if overlapping.labels() else None
    diarization = to_diarization(overlapping, tracks[1].rename_labels(labels), centroids, duration=features.duration)
    qualities = assignment_quality(features.embeddings, features.segmentations, clusters.hard,
                                   min_active_ratio=config.min_active_ratio,
                                   max_embeddings=config.max_clustered_embeddings, num_clusters=len(labels),
                                   max_together=config.same_person_max_together)
    return with_confidence(diarization, qualities, labels, config)


def _window(spec: tuple[float, float, float]) -> tuple[float, float, float]:
    start, duration, step = spec
    return duration, step, start  # SlidingWindow(duration, step, start)


def _reconstruct(segmentations: SlidingWindowFeature, hard: np.ndarray,
                 count: SlidingWindowFeature) -> SlidingWindowFeature:
    """Chunk-level local speakers -> global clusters, then pyannote's frame-level aggregation."""
    num_chunks, num_frames, _ = segmentations.data.shape
    num_clusters = int(np.max(hard)) + 1
    clustered = np.full((num_chunks, num_frames, num_clusters), np.nan)
    for c, (cluster, (_, segmentation)) in enumerate(zip(hard, segmentations)):
        for k in np.unique(cluster):
            if k >= 0:
                clustered[c, :, k] = np.max(segmentation[:, cluster == k], axis=1)
    return SpeakerDiarizationMixin.to_diarization(SlidingWindowFeature(clustered, segmentations.sliding_window),
                                                  count)
