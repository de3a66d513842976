"""CAM++ speaker embedding network (Wang et al., Interspeech 2023), for pretrained 3D-Speaker weights.

The layer names follow the published state dict so that the pinned
``campplus_cn_en_common.pt`` loads with ``strict=True``. Written for this project
from the paper's description: a 2-D convolutional front end (FCM) feeding a densely
connected TDNN with context-aware masking, statistics pooling and a 192-d embedding.
Imported only by :mod:`analyzer.adapters.diarize`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _bn_relu(channels: int, relu: bool = True, affine: bool = True) -> nn.Sequential:
    layers = nn.Sequential()
    layers.add_module("batchnorm", nn.BatchNorm1d(channels, affine=affine))
    if relu:
        layers.add_module("relu", nn.ReLU())
    return layers


class _ResBlock2d(nn.Module):
    def __init__(self, channels_in: int, channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or channels_in != channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(channels_in, channels, 1, stride=(stride, 1), bias=False),
                nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class _FrontEnd(nn.Module):
    """FCM: 2-D residual convolutions over (frequency, time), flattened to channels."""

    def __init__(self, feat_dim: int = 80, channels: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.layer2 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (feat_dim // 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (batch, feat, time)
        y = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        y = self.layer2(self.layer1(y))
        y = F.relu(self.bn2(self.conv2(y)))  # (batch, channels, feat/8, time)
        return y.flatten(1, 2)  # (batch, channels * feat/8, time)


class _Tdnn(nn.Module):
    def __init__(self, channels_in: int, channels_out: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(channels_in, channels_out, kernel, stride=stride,
                                padding=(kernel - 1) // 2, bias=False)
        self.nonlinear = _bn_relu(channels_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x))


def local_mean(x: torch.Tensor, frames: int) -> torch.Tensor:
    """Mean of ``x`` (..., time) over the ``frames`` frames around each frame: (..., time).

    The window is shifted, not cut, where it would leave the sequence, so every frame's mean is
    over ``frames`` frames, and over the whole sequence when it is no longer than that (then this
    is ``x.mean(-1)`` up to rounding). Written with a cumulative sum and index arithmetic on the
    sequence's own length, so an ONNX export keeps the length dynamic.
    """
    ones = x[(0,) * (x.dim() - 1)] * 0 + 1  # (time,): arithmetic on x, so an ONNX export keeps it dynamic
    index = (torch.cumsum(ones, dim=0) - 1).long()
    length = ones.sum(dim=0, keepdim=True).long()
    width = torch.clamp(length, max=frames)
    low = torch.minimum(torch.clamp(index - frames // 2, min=0), length - width)
    sums = F.pad(torch.cumsum(x, dim=-1), (1, 0))
    return (sums.index_select(-1, low + width) - sums.index_select(-1, low)) / width.to(x.dtype)


class _ContextMask(nn.Module):
    """A TDNN whose output is gated by a mask from global and 100-frame segment means.

    ``context_frames`` > 0 takes the "global" mean over that many frames around each frame
    (:func:`local_mean`) instead of the whole input (0, as published): a sequence of up to that
    many frames gives the published output.
    """

    def __init__(self, channels_in: int, channels_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.context_frames = 0
        self.linear_local = nn.Conv1d(channels_in, channels_out, kernel,
                                      padding=(kernel - 1) // 2 * dilation, dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(channels_in, channels_in // 2, 1)
        self.linear2 = nn.Conv1d(channels_in // 2, channels_out, 1)

    def forward(self, x: torch.Tensor, segment: int = 100) -> torch.Tensor:
        local = self.linear_local(x)
        pooled = F.avg_pool1d(x, kernel_size=segment, stride=segment, ceil_mode=True)
        pooled = pooled.repeat_interleave(segment, dim=-1)[..., : x.shape[-1]]
        whole = local_mean(x, self.context_frames) if self.context_frames > 0 else x.mean(-1, keepdim=True)
        context = whole + pooled
        mask = torch.sigmoid(self.linear2(F.relu(self.linear1(context))))
        return local * mask


class _DenseLayer(nn.Module):
    def __init__(self, channels_in: int, growth: int, bottleneck: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.nonlinear1 = _bn_relu(channels_in)
        self.linear1 = nn.Conv1d(channels_in, bottleneck, 1, bias=False)
        self.nonlinear2 = _bn_relu(bottleneck)
        self.cam_layer = _ContextMask(bottleneck, growth, kernel, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _DenseBlock(nn.Module):
    def __init__(self, layers: int, channels_in: int, growth: int, bottleneck: int,
                 kernel: int, dilation: int) -> None:
        super().__init__()
        for i in range(layers):
            self.add_module(f"tdnnd{i + 1}", _DenseLayer(channels_in + i * growth, growth,
                                                         bottleneck, kernel, dilation))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _Transit(nn.Module):
    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.nonlinear = _bn_relu(channels_in)
        self.linear = nn.Conv1d(channels_in, channels_out, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.nonlinear(x))


class _StatsPool(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x.mean(dim=-1), x.std(dim=-1)], dim=-1)


class _Embedding(nn.Module):
    def __init__(self, channels_in: int, size: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(channels_in, size, 1, bias=False)
        self.nonlinear = _bn_relu(size, relu=False, affine=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (batch, channels)
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CAMPPlus(nn.Module):
    """Maps 80-bin fbank features (batch, time, 80) to embeddings (batch, 192)."""

    def __init__(self, feat_dim: int = 80, embedding_size: int = 192, growth: int = 32,
                 init_channels: int = 128) -> None:
        super().__init__()
        self.head = _FrontEnd(feat_dim)
        self.xvector = nn.Sequential()
        self.xvector.add_module("tdnn", _Tdnn(self.head.out_channels, init_channels, 5, stride=2))
        channels = init_channels
        for i, (layers, dilation) in enumerate(((12, 1), (24, 2), (16, 2)), start=1):
            self.xvector.add_module(f"block{i}", _DenseBlock(layers, channels, growth, 4 * growth, 3, dilation))
            channels += layers * growth
            self.xvector.add_module(f"transit{i}", _Transit(channels, channels // 2))
            channels //= 2
        self.xvector.add_module("out_nonlinear", _bn_relu(channels))
        self.xvector.add_module("stats", _StatsPool())
        self.xvector.add_module("dense", _Embedding(channels * 2, embedding_size))

    @property
    def context_frames(self) -> int:
        """The context of the masks set by :meth:`set_context` (0: whole-input means)."""
        return next(m.context_frames for m in self.modules() if isinstance(m, _ContextMask))

    def set_context(self, frames: int) -> None:
        """Every context-aware mask takes its whole-input mean over ``frames`` trunk frames around
        each frame (0: over the whole input, as published); see :func:`local_mean`."""
        for module in self.modules():
            if isinstance(module, _ContextMask):
                module.context_frames = int(frames)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.xvector(self.head(features.transpose(1, 2)))
