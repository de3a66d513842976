"""CAM++'s context-aware masks with local means (``[diarization] trunk_context_s``), no pinned weights.

The local mean must be each frame's mean over the window around it (shifted, never cut, at the
ends), the whole input's mean for an input no longer than the window, so one pass per 10 s chunk
stays the published network; and it must survive an ONNX export with the length left dynamic
(the shared trunk sends spans of any length).
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from analyzer.adapters.campplus import CAMPPlus, _ContextMask, local_mean  # noqa: E402
from analyzer.adapters.diarize import feature_tag, trunk_context_frames  # noqa: E402
from analyzer.core.config import DiarizationConfig  # noqa: E402


def _naive(x: torch.Tensor, frames: int) -> torch.Tensor:
    length = x.shape[-1]
    width = min(frames, length)
    columns = []
    for t in range(length):
        low = min(max(t - frames // 2, 0), length - width)
        columns.append(x[..., low:low + width].mean(-1))
    return torch.stack(columns, dim=-1)


@pytest.mark.parametrize("length", [7, 40, 41, 123])
def test_local_mean_is_the_mean_of_the_window_around_each_frame(length):
    x = torch.randn(2, 3, length, generator=torch.Generator().manual_seed(length), dtype=torch.float64)
    assert torch.allclose(local_mean(x, 40), _naive(x, 40), atol=1e-12)


def test_an_input_no_longer_than_the_window_gets_its_whole_mean():
    x = torch.randn(2, 5, 499)
    assert torch.allclose(local_mean(x, 500), x.mean(-1, keepdim=True).expand_as(x), atol=1e-6)
    assert not torch.allclose(local_mean(x, 100), x.mean(-1, keepdim=True).expand_as(x), atol=1e-3)


def _network(seed: int = 0) -> CAMPPlus:
    torch.manual_seed(seed)
    network = CAMPPlus()
    for module in network.modules():  # non-trivial batch-norm statistics, as trained weights have
        if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
        if isinstance(module, _ContextMask):  # masks that depend on their context, as trained ones do
            with torch.no_grad():
                module.linear1.weight.mul_(20.0)
                module.linear2.weight.mul_(20.0)
    return network.eval()


def _trunk(network: CAMPPlus):
    from analyzer.adapters.diarize import CamPlusPlusEmbedding

    model = CamPlusPlusEmbedding()
    model.network = network
    return model.eval().torch_trunk


def test_a_chunk_pass_is_unchanged_and_a_longer_pass_sees_local_context():
    network = _network()
    trunk = _trunk(network)
    chunk = torch.randn(1, 998, 80)  # one 10 s chunk of fbank frames: 499 trunk frames
    span = torch.randn(1, 3000, 80)
    span[:, :1000] *= 3.0  # three 10 s stretches of different sound: local context differs from the whole
    span[:, 2000:] -= 2.0
    with torch.inference_mode():
        published = trunk(chunk), trunk(span)
        network.set_context(trunk_context_frames(10.0))
        local = trunk(chunk), trunk(span)
    assert trunk_context_frames(10.0) == 500
    assert torch.allclose(local[0], published[0], atol=1e-5), "one chunk's pass must stay the published one"
    assert not torch.allclose(local[1], published[1], atol=1e-5), "a 30 s pass must see 10 s of context, not 30"


def test_a_context_mask_gates_each_frame_by_the_context_around_it():
    torch.manual_seed(0)
    layer = _ContextMask(8, 4, 3, 1).eval()
    x = torch.randn(1, 8, 1500)
    x[..., :500] += 3.0  # the first 10 s (500 trunk frames) sound unlike the rest
    with torch.inference_mode():
        published = layer(x)
        layer.context_frames = 500
        local = layer(x)
        layer.context_frames = 0
        alone = layer(x[..., 1000:])  # the last 10 s in a pass of their own
    assert (local - published).abs().max() > 1e-2
    # the frames whose window is the last 10 s (the last 250) get what a pass of those 10 s alone gives
    # them (the 100-frame segment means are aligned to the pass's start: 1000 is a multiple of 100)
    assert torch.allclose(local[..., 1250:], alone[..., 250:], atol=1e-5)
    assert not torch.allclose(published[..., 1250:], alone[..., 250:], atol=1e-2)


def test_the_local_context_survives_an_onnx_export_with_a_dynamic_length(tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from analyzer.adapters import onnx_models
    from analyzer.adapters.diarize import CamPlusPlusEmbedding

    monkeypatch.setenv(onnx_models.ONNX_CACHE_ENV, str(tmp_path))
    model = CamPlusPlusEmbedding()
    model.network = _network(1)
    model.network.set_context(50)
    graph = onnx_models.load_onnx_trunk(model.eval(), "0" * 64, frames=98)
    assert graph is not None, "export or its check failed"
    assert [p.name for p in tmp_path.iterdir()][0].startswith("campplus-trunk-0000000000000000-context50-")
    for frames in (60, 98, 200, 450):  # shorter than the window (50 trunk frames: 100 fbank frames), longer
        x = torch.randn(1, frames, 80)
        with torch.inference_mode():
            expected = model.torch_trunk(x)
        actual = graph(x, threads=1)
        assert actual.shape == expected.shape
        assert torch.allclose(actual, expected, atol=1e-4), frames


def test_the_context_is_in_the_cached_features_name():
    assert feature_tag(DiarizationConfig()) == "-shared30-context10"
    assert feature_tag(DiarizationConfig(trunk_context_s=0.0)) == "-shared30"
    assert feature_tag(DiarizationConfig(shared_trunk_s=0.0)) == ""
