"""The two diarization networks through ONNX Runtime on the CPU, exported here from the pinned weights.

* CAM++'s frame-level trunk (front end and densely connected TDNN, everything before the
  statistics pooling), where CAM++ spends its time: about 1.4 times faster than torch on one or
  two CPU threads (ONNX Runtime's graph optimiser fuses the batch norms and activations);
* segmentation-3.0 whole (SincNet, LSTMs, classifier, log-softmax over the powerset classes):
  about 1.4 times faster than torch too (measured on one and two threads, docs/benchmarks.md).

Nothing is downloaded: on first use the loaded torch model is exported with
``torch.onnx.export`` into ``FLOORSHARE_ONNX_CACHE`` (default ``~/.cache/floorshare/onnx``),
under a name that carries the weights' sha256 and the torch version, so other weights or
another torch export afresh. The exported graph is checked against torch on a fixed input
before it is used; a failed export or check falls back to torch with a warning. Imported only
by :mod:`analyzer.adapters.diarize`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

log = logging.getLogger(__name__)

ONNX_CACHE_ENV = "FLOORSHARE_ONNX_CACHE"
OPSET = 17
# max |difference| on the check input: trunk outputs are of order 1; segmentation's log-probabilities
# differ from torch's by at most 1.8e-4 on real speech (AMI tst00, 32 chunks; the argmax never changes)
TRUNK_TOLERANCE = 1e-3
SEGMENTATION_TOLERANCE = 2e-3
# segmentation-3.0 runs 4 chunks at a time, its buffers handed back after each run: pyannote sends 32,
# for which ONNX Runtime's arena kept 792 MiB resident (the hour peaked at 3.5 GiB instead of 2.6);
# 4 at a time without the arena keeps nothing and is as fast (22 ms a chunk on 2 threads, 26 at 32)
SEGMENTATION_BATCH = 4
# CAM++'s trunk runs without the arena too: with its local-context masks, the arena kept about 250 MiB
# more at the 2-hour peak (2729 against 2477 MiB), and runs are no slower (RTF 0.047 and 0.045)


def onnx_cache_dir() -> Path:
    configured = os.environ.get(ONNX_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "floorshare" / "onnx"


class OnnxGraph:
    """Runs one exported graph, one named input -> its first output, in ONNX Runtime.

    One inference session per thread count (ONNX Runtime fixes it per session). ``batch`` splits
    larger inputs into runs of at most that many rows; ``arena=False`` hands each run's buffers
    back instead of keeping them in ONNX Runtime's memory arena.
    """

    def __init__(self, path: Path, input_name: str, *, batch: int | None = None, arena: bool = True) -> None:
        import onnxruntime

        self._ort = onnxruntime
        self.path = path
        self.input_name = input_name
        self.batch = batch
        self.arena = arena
        self._sessions: dict[int, object] = {}
        self._lock = threading.Lock()

    def session(self, threads: int):
        with self._lock:
            if threads not in self._sessions:
                options = self._ort.SessionOptions()
                options.intra_op_num_threads = max(1, threads)
                options.inter_op_num_threads = 1
                options.graph_optimization_level = self._ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.enable_cpu_mem_arena = options.enable_mem_pattern = self.arena
                self._sessions[threads] = self._ort.InferenceSession(
                    str(self.path), options, providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def __call__(self, inputs: torch.Tensor, threads: int) -> torch.Tensor:
        array = np.ascontiguousarray(inputs.detach().cpu().numpy(), dtype=np.float32)
        session = self.session(threads)
        step = self.batch or len(array) or 1
        outputs = [session.run(None, {self.input_name: array[i: i + step]})[0] for i in range(0, len(array), step)]
        return torch.from_numpy(outputs[0] if len(outputs) == 1 else np.concatenate(outputs))


class _TrunkModule(nn.Module):
    """``model.torch_trunk`` as a module's forward, with the model registered (its weights are
    exported as the graph's initialisers)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.model.torch_trunk(features)


def load_onnx_trunk(model: nn.Module, weights_sha256: str, frames: int = 998) -> OnnxGraph | None:
    """CAM++'s ``model.torch_trunk`` (batch, frames, 80) -> (batch, channels, frames / 2) exported
    for these weights (now, if not cached), or None when that is not possible or does not match.

    The context of the model's masks (``CAMPPlus.set_context``, read from the model) is in the
    cached graph's name, and with a local context the graph is also checked on an input longer
    than it (where the local means differ from the whole input's)."""
    generator = torch.Generator().manual_seed(0)
    context_frames = model.network.context_frames
    context = f"-context{context_frames}" if context_frames > 0 else ""
    longer = (torch.randn(1, 2 * context_frames + 3 * frames // 2, 80, generator=generator) * 3.0,) \
        if context_frames > 0 else ()
    return _checked_graph(
        _TrunkModule(model), f"campplus-trunk-{weights_sha256[:16]}{context}", "CAM++",
        example=torch.zeros(2, frames, 80), check=torch.randn(2, frames, 80, generator=generator) * 3.0,
        extra_checks=longer,
        names=("features", "hidden"), dynamic_axes={"features": {0: "batch", 1: "frames"},
                                                    "hidden": {0: "batch", 2: "time"}},
        tolerance=TRUNK_TOLERANCE, arena=False)


def load_onnx_segmentation(model: nn.Module, weights_sha256: str, samples: int = 160_000) -> OnnxGraph | None:
    """segmentation-3.0's forward (batch, 1, samples) -> (batch, frames, classes) exported for these
    weights (now, if not cached), or None when that is not possible or does not match torch.

    Checked on a speech-like input (a mixture of tones under noise, one 10 s window and a shorter
    one, since the graph takes any length)."""
    generator = torch.Generator().manual_seed(0)
    time = torch.arange(samples) / 16_000.0
    voiced = sum(torch.sin(2 * torch.pi * f * time) / (k + 1) for k, f in enumerate((140.0, 280.0, 420.0, 900.0)))
    envelope = (torch.sin(2 * torch.pi * 0.4 * time) > 0).float()
    signal = 0.1 * voiced * envelope + 0.01 * torch.randn(samples, generator=generator)
    check = torch.stack([signal, signal.flip(0)]).unsqueeze(1)
    return _checked_graph(
        model, f"segmentation-{weights_sha256[:16]}", "segmentation-3.0",
        example=torch.zeros(2, 1, samples), check=check, extra_checks=(check[..., : samples // 2 + 123],),
        names=("waveforms", "scores"), dynamic_axes={"waveforms": {0: "batch", 2: "samples"},
                                                     "scores": {0: "batch", 1: "frames"}},
        tolerance=SEGMENTATION_TOLERANCE, batch=SEGMENTATION_BATCH, arena=False)


def _checked_graph(module: nn.Module, stem: str, what: str, *, example: torch.Tensor, check: torch.Tensor,
                   names: tuple[str, str], dynamic_axes: dict, tolerance: float,
                   extra_checks: tuple[torch.Tensor, ...] = (), batch: int | None = None,
                   arena: bool = True) -> OnnxGraph | None:
    try:
        import onnx  # noqa: F401 - the exporter needs it
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        log.warning("ONNX Runtime not usable (%s); %s runs in torch", exc, what)
        return None
    path = onnx_cache_dir() / f"{stem}-torch{torch.__version__.split('+')[0]}-opset{OPSET}.onnx"
    module.eval()  # the reference is inference mode (no dropout), as pyannote runs it; a cached graph skips _export
    try:
        if not path.is_file():
            _export(module, path, example, names, dynamic_axes)
        graph = OnnxGraph(path, names[0], batch=batch, arena=arena)
        difference = max(_difference(module, graph, x) for x in (check, *extra_checks))
    except Exception as exc:  # noqa: BLE001 - any exporter/runtime failure: torch still works
        log.warning("%s ONNX export failed (%s); %s runs in torch", what, exc, what)
        path.unlink(missing_ok=True)  # a graph that cannot run is exported afresh next time
        return None
    if difference > tolerance:
        log.warning("%s in ONNX Runtime differs from torch by %.2e; %s runs in torch", what, difference, what)
        path.unlink(missing_ok=True)
        return None
    return graph


def _export(module: nn.Module, path: Path, example: torch.Tensor, names: tuple[str, str], dynamic_axes: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".onnx", dir=path.parent)
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), temporary, dynamo=False, input_names=[names[0]],
                              output_names=[names[1]], opset_version=OPSET, dynamic_axes=dynamic_axes)
        os.replace(temporary, path)  # atomic: a concurrent process sees the whole file or none
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _difference(module: Callable[[torch.Tensor], torch.Tensor], graph: OnnxGraph, inputs: torch.Tensor) -> float:
    with torch.inference_mode():
        expected = module(inputs)
    actual = graph(inputs, threads=1)
    if actual.shape != expected.shape:
        raise ValueError(f"shape {tuple(actual.shape)} against torch's {tuple(expected.shape)}")
    return float((actual - expected).abs().max())
