"""The ONNX Runtime wrapper on a tiny network exported here: split runs give the whole run's output,
and a cached graph is checked against the model in inference mode (a model loaded in training mode,
as pyannote loads segmentation-3.0, must not make a good cached graph look wrong)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from analyzer.adapters import onnx_models  # noqa: E402


class Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(8, 3)
        self.dropout = torch.nn.Dropout(0.5)  # active only in training mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(torch.tanh(self.linear(x)))


def _graph(model, batch=None, arena=True):
    return onnx_models._checked_graph(
        model, "tiny", "tiny", example=torch.zeros(2, 5, 8), check=torch.randn(2, 5, 8),
        names=("x", "y"), dynamic_axes={"x": {0: "batch", 1: "time"}, "y": {0: "batch", 1: "time"}},
        tolerance=1e-5, batch=batch, arena=arena)


def test_runs_split_into_batches_give_the_whole_output(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_models.ONNX_CACHE_ENV, str(tmp_path))
    model = Tiny()
    graph = _graph(model, batch=3, arena=False)
    assert graph is not None
    inputs = torch.randn(7, 11, 8)  # 3 + 3 + 1 rows, another length than the export's
    with torch.inference_mode():
        expected = model.eval()(inputs)
    assert torch.allclose(graph(inputs, threads=1), expected, atol=1e-5)
    assert torch.allclose(graph(inputs, threads=2), expected, atol=1e-5)


def test_a_cached_graph_is_checked_in_inference_mode(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_models.ONNX_CACHE_ENV, str(tmp_path))
    model = Tiny()
    assert _graph(model) is not None  # exported now
    cached = list(tmp_path.glob("tiny-*.onnx"))
    assert len(cached) == 1
    model.train()  # as a checkpoint may load
    assert _graph(model) is not None, "the cached graph was compared with dropout on"
    assert cached[0].is_file()


def test_a_graph_that_does_not_match_is_refused_and_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_models.ONNX_CACHE_ENV, str(tmp_path))
    assert _graph(Tiny()) is not None
    other = Tiny()  # other weights under the same cache name: the check must catch it
    assert _graph(other) is None
    assert not list(tmp_path.glob("tiny-*.onnx"))


def test_a_cached_graph_that_cannot_run_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_models.ONNX_CACHE_ENV, str(tmp_path))
    assert _graph(Tiny()) is not None
    cached = next(tmp_path.glob("tiny-*.onnx"))
    cached.write_bytes(b"not a graph")  # a broken file under the cache name (an older, faulty export)
    assert _graph(Tiny()) is None
    assert not cached.exists(), "a graph that cannot run must not stay cached"
    assert _graph(Tiny()) is not None, "the next use exports afresh"
