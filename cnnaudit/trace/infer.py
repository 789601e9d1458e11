"""Infer the input size when the user gave none (no peer tool does this).

Channels come from the first convolution. The spatial size comes from a
Linear fed by a flatten: the features it receives grow with the input, so a
binary search over square inputs (cheap traces on meta) finds the smallest
H = W for which they match ``in_features``. A model that pools adaptively
accepts any size, and then we ask rather than guess.
"""

from __future__ import annotations

from math import prod

from ..errors import NeedsConfiguration
from ..load.sites import where
from .tracer import trace

MAX_SIDE = 4096


def smallest_passing(low: int, high: int, passes) -> int | None:
    """The smallest side in [low, high] for which ``passes(side)`` holds, by
    binary search (``passes`` must be monotone: once true, true above); None
    if even ``high`` fails."""
    if not passes(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if passes(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _site_text(sites, name) -> str:
    site = sites.get(name)
    return where(site)


def infer_input_size(model, sites=None) -> tuple[tuple[int, ...], str]:
    """((C, H, W), explanation) or a CnnauditError asking for --input-size."""
    from torch import nn

    sites = sites or {}
    convs = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.modules.conv._ConvNd)]
    if not convs:
        return _from_first_linear(model, sites)
    conv_name, conv = convs[0]
    channels = conv.in_channels
    spatial_dims = len(conv.kernel_size)
    hint = layout_hint(channels, spatial_dims)

    def shape(side):
        return (channels,) + (side,) * spatial_dims

    def measure(side):
        """(features the classifier receives per sample, in_features it expects,
        the flatten node, the Linear node) for a square input of ``side``."""
        graph = trace(model, [shape(side)], batch_size=2, device="meta")
        flatten = next((n for n in graph.ops() if _is_flatten(n)), None)
        if flatten is None:
            return None, graph
        features = prod(flatten.inputs[0].shape[1:])
        linear = next((n for n in graph.nodes[flatten.id:]
                       if n.kind == "module" and isinstance(n.module, nn.Linear)), None)
        expected = linear.module.in_features if linear is not None else first_linear_features
        return (features, expected, flatten, linear), graph

    first_linear_features = next(
        (m.in_features for m in model.modules() if isinstance(m, nn.Linear)), None)
    if first_linear_features is None:
        raise NeedsConfiguration(
            f"cannot infer the input size: {type(model).__name__} has no Linear to solve for; "
            f"pass --input-size {hint}"
        )

    def big_enough(side) -> bool:
        measured, _ = measure(side)
        return measured is not None and measured[0] >= measured[1]

    low = smallest_passing(1, MAX_SIDE, big_enough)
    if low is None:
        largest = "×".join([str(MAX_SIDE)] * spatial_dims)
        raise NeedsConfiguration(
            f"cannot infer the input size: no input up to {largest} reaches a flatten feeding "
            f"a Linear in {type(model).__name__}; pass --input-size {hint}"
        )
    measured, graph = measure(low)
    features, expected, flatten, linear = measured
    if features != expected:
        raise NeedsConfiguration(
            f"cannot infer the input size: no input of equal sides gives the {expected} features "
            f"{type(model).__name__}'s Linear expects ({'×'.join([str(low)] * spatial_dims)} "
            f"gives {features}); pass --input-size {hint}"
        )
    # Adaptive pooling feeds the classifier the same features at any size.
    larger, _ = measure(low * 2 + 7)
    if larger is not None and larger[0] == features:
        raise NeedsConfiguration(
            f"cannot infer the input size: {type(model).__name__} accepts any size from "
            f"{low} up (it pools adaptively before its classifier); pass --input-size {hint}"
        )
    return shape(low), _explanation(sites, conv_name, conv, low, spatial_dims, flatten, linear,
                                    expected)


SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def layout_hint(channels, spatial_dims: int) -> str:
    """What ``--input-size`` a convolution of ``spatial_dims`` takes: ``1,L``
    for Conv1d, ``3,H,W`` for Conv2d, ``3,D,H,W`` for Conv3d."""
    names = SPATIAL_NAMES.get(spatial_dims, ("…",))
    return ",".join((str(channels),) + names)


def _from_first_linear(model, sites):
    """A model without convolutions takes what its first Linear takes."""
    from torch import nn

    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise NeedsConfiguration(
            "cannot infer the input size (no conv or Linear); pass --input-size")
    name, first = linears[0]
    return (first.in_features,), (
        f"input size inferred: {first.in_features} features from {name} "
        f"(Linear{_site_text(sites, name)})"
    )


def _explanation(sites, conv_name, conv, low, spatial_dims, flatten, linear, expected) -> str:
    """Where the inferred channels and size came from, with file:line."""
    channels = conv.in_channels
    map_shape = "×".join(str(d) for d in flatten.inputs[0].shape[1:])
    source = ""
    if linear is not None:
        source = (f" from {linear.name} (Linear with {expected} in_features"
                  f"{_site_text(sites, linear.name)} = {map_shape})")
    side = "×".join([str(low)] * spatial_dims)
    return (
        f"input size inferred: {channels} channel{'s' if channels != 1 else ''} from "
        f"{conv_name} ({type(conv).__name__}{_site_text(sites, conv_name)}), "
        f"{side}{source}"
    )


_FLATTEN_OPS = ("view", "reshape", "flatten", "_unsafe_view")


def _is_flatten(node) -> bool:
    """A view/reshape/flatten (function or nn.Flatten) turning a map into vectors."""
    if not node.inputs or len(node.inputs[0].shape) < 3:
        return False
    if node.kind == "module":
        return node.op == "Flatten"
    if node.op.rsplit(".", 1)[-1] not in _FLATTEN_OPS:
        return False
    return not node.outputs or len(node.outputs[0].shape) == 2
