"""Module surgery: a suggestion applied to a copy of the model.

Each rewrite replaces one layer, found by its state_dict name, with modules
that keep the layer's input and output shapes, so ``forward`` runs unchanged.
The probe then checks, by tracing the variant, that its shapes are the
original's and that its parameters and MACs are what the finding predicted.
"""

from __future__ import annotations

import copy

from ..errors import CnnauditError
from ..linting.plans import stacked_plan


def _replace(model, name: str, new_module) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, new_module)


def _conv_like(conv, **overrides):
    """A new conv of the same class, device and dtype as ``conv``."""
    kwargs = dict(
        in_channels=conv.in_channels, out_channels=conv.out_channels,
        kernel_size=conv.kernel_size, stride=conv.stride, padding=conv.padding,
        dilation=conv.dilation, groups=conv.groups, bias=conv.bias is not None,
        padding_mode=conv.padding_mode,
    )
    kwargs.update(overrides)
    weight = conv.weight
    return type(conv)(**kwargs, device=weight.device, dtype=weight.dtype)


def drop_bias(model, rewrite: dict) -> None:
    """CNA202: the bias BatchNorm cancels."""
    layer = model.get_submodule(rewrite["layer"])
    layer.register_parameter("bias", None)


def _global_pool_linear_class():
    import torch.nn as nn

    class GlobalAvgPoolLinear(nn.Module):
        """Takes the flattened C×H×W map the old Linear read, averages it over
        H×W, and applies Linear(C, out): a global-average-pooling head that
        keeps the model's forward code unchanged."""

        def __init__(self, channels, out_features, bias, device=None, dtype=None):
            super().__init__()
            self.channels = channels
            self.linear = nn.Linear(channels, out_features, bias=bias, device=device,
                                    dtype=dtype)

        def forward(self, x):
            pooled = x.reshape(x.shape[0], self.channels, -1).mean(-1)
            return self.linear(pooled)

    return GlobalAvgPoolLinear


def global_pool_head(model, rewrite: dict) -> None:
    """CNA301: Linear(C×H×W, out) → average over H×W, Linear(C, out)."""
    linear = model.get_submodule(rewrite["layer"])
    cls = _global_pool_linear_class()
    _replace(model, rewrite["layer"], cls(rewrite["channels"], linear.out_features,
                                          linear.bias is not None, linear.weight.device,
                                          linear.weight.dtype))


def separable(model, rewrite: dict) -> None:
    """CNA302: k×k conv → depthwise k×k (with the stride) + pointwise 1×1."""
    import torch.nn as nn

    conv = model.get_submodule(rewrite["layer"])
    depthwise = _conv_like(conv, out_channels=conv.in_channels, groups=conv.in_channels)
    pointwise = _conv_like(conv, kernel_size=1, stride=1, padding=0, dilation=1,
                           padding_mode="zeros")
    _replace(model, rewrite["layer"], nn.Sequential(depthwise, pointwise))


def bottleneck(model, rewrite: dict) -> None:
    """CNA303: k×k conv → 1×1 reduce, k×k on the reduced width, 1×1 expand."""
    import torch.nn as nn

    conv = model.get_submodule(rewrite["layer"])
    width = rewrite["width"]
    reduce = _conv_like(conv, out_channels=width, kernel_size=1, stride=1, padding=0,
                        dilation=1, padding_mode="zeros")
    middle = _conv_like(conv, in_channels=width, out_channels=width)
    expand = _conv_like(conv, in_channels=width, kernel_size=1, stride=1, padding=0,
                        dilation=1, padding_mode="zeros")
    _replace(model, rewrite["layer"], nn.Sequential(reduce, middle, expand))


def stacked_3x3(model, rewrite: dict) -> None:
    """CNA304: k×k conv → (k − 1) / 2 stacked 3×3 convs with ReLUs between."""
    import torch.nn as nn

    conv = model.get_submodule(rewrite["layer"])
    plan = stacked_plan(conv.kernel_size, conv.stride, conv.padding)
    if plan is None:
        raise CnnauditError(
            f"{rewrite['layer']}: no stack of 3×3 convolutions has its output size")
    layers = []
    for index, (kernel, stride, padding) in enumerate(plan):
        if index:
            layers.append(nn.ReLU())
        layers.append(_conv_like(conv, in_channels=conv.in_channels if index == 0
                                 else conv.out_channels, kernel_size=kernel, stride=stride,
                                 padding=padding, dilation=1))
    _replace(model, rewrite["layer"], nn.Sequential(*layers))


REWRITES = {"CNA202": drop_bias, "CNA301": global_pool_head, "CNA302": separable,
            "CNA303": bottleneck, "CNA304": stacked_3x3}


def apply_findings(model, findings):
    """A deep copy of ``model`` with every finding's rewrite applied. Two
    findings on the same layer: only the first (the caller ranks them)."""
    variant = copy.deepcopy(model)
    done = set()
    for finding in findings:
        if finding.code not in REWRITES or not finding.rewrite:
            continue
        layer = finding.rewrite["layer"]
        if layer in done:
            continue
        REWRITES[finding.code](variant, finding.rewrite)
        done.add(layer)
    return variant
