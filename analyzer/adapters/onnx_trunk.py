"""CAM++'s frame-level trunk through ONNX Runtime on the CPU, exported here from the pinned weights.

The trunk (front end and densely connected TDNN, everything before the statistics pooling)
is where CAM++ spends its time. ONNX Runtime runs it about 1.4 times faster than torch on
one or two CPU threads (its graph optimiser fuses the batch norms and activations).

Nothing is downloaded: on first use the loaded torch model is exported with
``torch.onnx.export`` into ``FLOORSHARE_ONNX_CACHE`` (default ``~/.cache/floorshare/onnx``),
under a name that carries the weights' sha256 and the torch version, so other weights or
another torch export afresh. The exported graph is checked against torch on a random input
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
CHECK_TOLERANCE = 1e-3  # max |difference| of trunk outputs (values of order 1) on the check input


def onnx_cache_dir() -> Path:
    configured = os.environ.get(ONNX_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "floorshare" / "onnx"


class _TrunkModule(nn.Module):
    """``model.torch_trunk`` as a module's forward, with the model registered (its weights are
    exported as the graph's initialisers)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.model.torch_trunk(features)


class OnnxTrunk:
    """Runs ``trunk(features)`` (batch, frames, 80) -> (batch, channels, frames / 2) in ONNX Runtime.

    One inference session per thread count (ONNX Runtime fixes it per session).
    """

    def __init__(self, path: Path) -> None:
        import onnxruntime

        self._ort = onnxruntime
        self.path = path
        self._sessions: dict[int, object] = {}
        self._lock = threading.Lock()

    def session(self, threads: int):
        with self._lock:
            if threads not in self._sessions:
                options = self._ort.SessionOptions()
                options.intra_op_num_threads = max(1, threads)
                options.inter_op_num_threads = 1
                options.graph_optimization_level = self._ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._sessions[threads] = self._ort.InferenceSession(
                    str(self.path), options, providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def __call__(self, features: torch.Tensor, threads: int) -> torch.Tensor:
        array = np.ascontiguousarray(features.detach().cpu().numpy(), dtype=np.float32)
        return torch.from_numpy(self.session(threads).run(None, {"features": array})[0])


def load_onnx_trunk(model: nn.Module, weights_sha256: str, frames: int = 998) -> OnnxTrunk | None:
    """``model.torch_trunk`` exported for these weights (now, if not cached), or None when ONNX
    Runtime or the exporter is unavailable or the export does not match torch."""
    try:
        import onnx  # noqa: F401 - the exporter needs it
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        log.warning("ONNX Runtime not usable (%s); CAM++ runs in torch", exc)
        return None
    name = f"campplus-trunk-{weights_sha256[:16]}-torch{torch.__version__.split('+')[0]}-opset{OPSET}.onnx"
    path = onnx_cache_dir() / name
    try:
        if not path.is_file():
            _export(model, path, frames)
        runner = OnnxTrunk(path)
        difference = _check(model.torch_trunk, runner, frames)
    except Exception as exc:  # noqa: BLE001 - any exporter/runtime failure: torch still works
        log.warning("CAM++ ONNX export failed (%s); CAM++ runs in torch", exc)
        return None
    if difference > CHECK_TOLERANCE:
        log.warning("CAM++ in ONNX Runtime differs from torch by %.2e; CAM++ runs in torch", difference)
        path.unlink(missing_ok=True)
        return None
    return runner


def _export(model: nn.Module, path: Path, frames: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(2, frames, 80)
    handle, temporary = tempfile.mkstemp(suffix=".onnx", dir=path.parent)
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_TrunkModule(model).eval(), (example,), temporary, dynamo=False,
                              input_names=["features"], output_names=["hidden"], opset_version=OPSET,
                              dynamic_axes={"features": {0: "batch", 1: "frames"}, "hidden": {0: "batch", 2: "time"}})
        os.replace(temporary, path)  # atomic: a concurrent process sees the whole file or none
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _check(trunk: Callable[[torch.Tensor], torch.Tensor], runner: OnnxTrunk, frames: int) -> float:
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(2, frames, 80, generator=generator) * 3.0
    with torch.inference_mode():
        expected = trunk(features)
    return float((runner(features, threads=1) - expected).abs().max())
