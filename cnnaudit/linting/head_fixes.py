"""Fixes for a classifier head built for one input size and fed another.

A head written as ``x.view(-1, 16 * 5 * 5)`` + ``nn.Linear(400, ...)`` works
only for the input size it was worked out for. Telling the user to flatten
(``x.flatten(1)``) only moves the crash to the Linear; telling them to change
``in_features`` ties the model to the new size. The fix that holds for any
input size is an adaptive pooling layer that makes the map the size the head
was built for: ``nn.AdaptiveAvgPool2d((5, 5))`` before the flatten keeps the
Linear's 400 inputs (what torchvision's VGG and AlexNet do)."""

from __future__ import annotations

import math

from ..trace.graph import Graph, Node
from .patterns import is_linear


def next_linear(graph: Graph, node: Node, in_features: int) -> tuple[str, object] | None:
    """(name, module) of the Linear the reshape at ``node`` feeds: the next
    one called, or — when the forward pass stopped at the reshape — the
    model's Linear built for ``in_features``."""
    ops = graph.ops()
    start = ops.index(node) if node in ops else len(ops)
    for later in ops[start + 1:start + 6]:
        if is_linear(later) and later.kind == "module":
            return later.name, later.module
    root = graph.root.module if graph.root is not None else None
    if root is None or graph.failure is None:
        return None
    from torch import nn

    for name, module in root.named_modules():
        if isinstance(module, nn.Linear) and module.in_features == in_features:
            return name, module
    return None


def pooled_size(features: int, channels: int, spatial: tuple) -> tuple | None:
    """(h, w) with channels × h × w == features, the shape nearest the map's
    aspect ratio; None when ``features`` is not a whole number of channels."""
    if channels <= 0 or features % channels:
        return None
    area = features // channels
    if len(spatial) == 1:
        return (area,)
    if len(spatial) != 2:
        return None
    aspect = spatial[0] / spatial[1] if spatial[1] else 1.0
    best = None
    for h in range(1, area + 1):
        if area % h == 0:
            w = area // h
            score = abs(math.log((h / w) / aspect))
            if best is None or score < best[0]:
                best = (score, (h, w))
    return best[1] if best else None


def adaptive_pool_fix(map_shape: tuple, expected_features: int) -> str | None:
    """``nn.AdaptiveAvgPool2d((h, w))`` that turns a [N, C, H, W] map into
    ``expected_features`` per sample, or None when no pooling can."""
    if len(map_shape) not in (3, 4):
        return None
    size = pooled_size(expected_features, map_shape[1], tuple(map_shape[2:]))
    if size is None or any(s > d for s, d in zip(size, map_shape[2:])):
        return None
    dims = len(size)
    target = size[0] if dims == 1 or size[0] == size[1] else size
    return f"nn.AdaptiveAvgPool{dims}d({target})"


def head_fix(graph: Graph, node: Node, map_shape: tuple, hard_coded: int) -> str:
    """The fix for a reshape at ``node`` that assumes ``hard_coded`` features
    per sample where the map ``map_shape`` has others."""
    features = math.prod(map_shape[1:])
    found = next_linear(graph, node, hard_coded)
    if found is None or found[1].in_features != hard_coded:
        return "x.flatten(1)"
    name, linear = found
    pool = adaptive_pool_fix(map_shape, hard_coded)
    resize = f"x.flatten(1) with nn.Linear({features}, {linear.out_features})"
    if pool is None:
        return f"{resize} (for this input size only)"
    return (f"{pool} before the reshape, then x.flatten(1): {name} keeps its "
            f"{hard_coded:,} inputs at any input size; or {resize} (this size only)")
