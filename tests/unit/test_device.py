"""`--device auto` picks CUDA when a GPU is present (issue 15, item 4), and `cuda` without one is a clear
error; checked with torch's CUDA probe replaced (no GPU is needed)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from analyzer.adapters import diarize  # noqa: E402
from analyzer.core.errors import ModelError  # noqa: E402


def test_auto_picks_cuda_when_a_gpu_is_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert diarize.resolve_device("auto") == "cuda"
    assert diarize.resolve_device("cpu") == "cpu"


def test_auto_falls_back_to_the_cpu_and_cuda_without_a_gpu_says_what_to_do(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert diarize.resolve_device("auto") == "cpu"
    with pytest.raises(ModelError, match="--device cpu"):
        diarize.resolve_device("cuda")
