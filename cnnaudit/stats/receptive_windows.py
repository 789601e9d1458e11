"""How each layer that moves positions maps its output units onto its input,
per spatial dimension: the per-op rules of the receptive-field pass
(``stats.receptive``, whose docstring gives the algebra). A window is either
``("conv", stride, extent, padding)`` — the integer recurrence of a
convolution or pooling — or ``(a, b, h)``: unit ``o`` maps to the input
interval centred on ``a·o + b`` with half-width ``h`` (fractional strides:
transposed convolutions, upsampling).
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil

from ..trace.graph import Node, TensorInfo
from ..trace.kinds import POOL_MODULES, as_tuple, conv_spec, is_conv, op_name, pool_spec

SAME_POOLING = {"MaxPool2dSame", "AvgPool2dSame"}  # timm's TensorFlow-"SAME" pooling
ADAPTIVE_MODULES = {"AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
                    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"}
ADAPTIVE_FUNCTIONS = {"adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
                      "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
                      "adaptive_max_pool2d_with_indices"}
UPSAMPLE_FUNCTIONS = {"interpolate", "upsample", "upsample_nearest", "upsample_bilinear"}
PAD_MODULES = {"ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
               "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
               "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
               "CircularPad2d", "CircularPad3d"}

def layer_window(node: Node, tensor: TensorInfo, out) -> list | None:
    """Per spatial dim, how the layer maps its units onto its input (see
    ``receptive._compose``), for the layers that move positions; else None."""
    spatial = len(tensor.shape) - 2
    if spatial < 1 or len(out) != len(tensor.shape):
        return None
    if is_conv(node):
        spec = conv_spec(node)
        if spec is None:
            return None
        extents = [d * (k - 1) + 1 for k, d in zip(spec.kernel, spec.dilation)]
        if node.kind == "module" and type(node.module).__name__.endswith("Same"):
            # timm's Conv2dSame: TensorFlow's "SAME", padded in forward
            return [_conv_window(e, s, _same_padding(e, s, n))
                    for e, s, n in zip(extents, spec.stride, tensor.shape[2:])]
        if spec.transposed:
            return [_transposed_window(k, s, p, d) for k, s, p, d in
                    zip(spec.kernel, spec.stride, _padding(spec.padding, extents),
                        spec.dilation)]
        return [_conv_window(e, s, p)
                for e, s, p in zip(extents, spec.stride, _padding(spec.padding, extents))]
    pool = pool_spec(node, POOL_MODULES | SAME_POOLING)
    if pool is not None:
        padding = pool.padding if node.op not in SAME_POOLING else \
            [_same_padding(e, s, n) for e, s, n in zip(pool.extents, pool.stride,
                                                          tensor.shape[2:])]
        return [_conv_window(e, s, p) for e, s, p in zip(pool.extents, pool.stride, padding)]
    name = op_name(node)
    if (node.kind == "module" and node.op in ADAPTIVE_MODULES) or name in ADAPTIVE_FUNCTIONS:
        sizes_in, sizes_out = tensor.shape[2:], out[2:]
        if all(o == 1 for o in sizes_out):
            return None  # global pooling: the whole input (_pools_globally)
        return [_adaptive_window(i, o) for i, o in zip(sizes_in, sizes_out)]
    if (node.kind == "module" and node.op == "Upsample") or name in UPSAMPLE_FUNCTIONS:
        mode = getattr(node.module, "mode", None) if node.kind == "module" else \
            node.args.get("mode", "nearest")
        corners = getattr(node.module, "align_corners", None) if node.kind == "module" else \
            node.args.get("align_corners")
        return [_upsample_window(i, o, mode or "nearest", bool(corners))
                for i, o in zip(tensor.shape[2:], out[2:])]
    if node.kind == "module" and node.op == "PixelShuffle" or name == "pixel_shuffle":
        return None  # channels become positions: not followed
    if (node.kind == "module" and node.op in PAD_MODULES) or name == "pad":
        pads = node.module.padding if node.kind == "module" else node.args.get("pad")
        pads = as_tuple(pads, 2 * spatial)
        # (left, right) pairs from the last dimension backwards
        lefts = [pads[2 * (spatial - 1 - dim)] if 2 * (spatial - 1 - dim) < len(pads) else 0
                 for dim in range(spatial)]
        return [(1, -left, 0) for left in lefts]
    if name == "getitem":
        return _slicing(node.args.get("1"), tensor.shape, out)
    return None


def _transposed_window(kernel: int, stride: int, padding: int, dilation: int):
    """Output o reads inputs (o + p − t·d)/s for the taps t that divide:
    centred on (o + p − (k' − 1)/2)/s on average; how many inputs apart the
    first and last are depends on o's phase (a 2×2, stride-2 one reads one
    input, a 3×3 one alternately one and two), so h is the phases' mean."""
    extents = []
    for phase in range(stride):
        taps = [t for t in range(kernel) if (phase - t * dilation) % stride == 0]
        extents.append(Fraction((max(taps) - min(taps)) * dilation, stride) + 1 if taps else 1)
    half = (sum(extents) / stride - 1) / 2
    extent = dilation * (kernel - 1) + 1
    return Fraction(1, stride), Fraction(2 * padding - (extent - 1), 2 * stride), half


def _conv_window(extent: int, stride: int, padding: int):
    return "conv", stride, extent, padding


def _same_padding(extent: int, stride: int, size: int) -> int:
    """TensorFlow's "SAME" padding on the left (timm's *Same layers pad in
    forward from the input size; the odd pixel goes to the right)."""
    return max((ceil(size / stride) - 1) * stride + extent - size, 0) // 2


def _padding(padding, extents):
    """Left padding per dim: ``"same"`` pads (k' − 1)//2 on the left, as torch."""
    if padding == "valid":
        return [0] * len(extents)
    if padding == "same":
        return [(e - 1) // 2 for e in extents]
    return list(padding)


def _adaptive_window(size_in: int, size_out: int):
    """torch's adaptive windows: [floor(o·n/m), ceil((o+1)·n/m)); fixed when m divides n."""
    if size_in % size_out == 0:
        step = size_in // size_out
        return _conv_window(step, step, 0)
    widest = ceil(Fraction(size_in, size_out)) + 1
    step = Fraction(size_in, size_out)
    return step, (step - 1) / 2, Fraction(widest - 1, 2)


def _upsample_window(size_in: int, size_out: int, mode: str, align_corners: bool):
    """Output unit o reads input ≈ ``(o + ½)·in/out − ½``: one unit (nearest,
    area), the two around it (linear modes) or four (cubic); with
    ``align_corners`` ``o·(in − 1)/(out − 1)``."""
    taps = 1 if mode in ("nearest", "nearest-exact", "area") else 4 if "cubic" in mode else 2
    half = Fraction(taps - 1, 2)
    if align_corners and size_out > 1:
        return Fraction(size_in - 1, size_out - 1), 0, half
    scale = Fraction(size_in, size_out)
    return scale, (scale - 1) / 2, half


def _slicing(index, shape, out):
    """``x[:, :, a:b:s]`` on spatial dims: unit o reads a + o·s."""
    if not isinstance(index, list):
        return None
    items = index if not (index and index[0] == "slice") else [index]
    if "..." in items:
        at = items.index("...")
        items = items[:at] + [["slice", None, None, None]] * (len(shape) - len(items) + 1) \
            + items[at + 1:]
    items = items + [["slice", None, None, None]] * (len(shape) - len(items))
    if len(items) != len(shape) or len(out) != len(shape):
        return None
    window = []
    for dim, item in enumerate(items):
        if not (isinstance(item, list) and item and item[0] == "slice"):
            return None  # an integer or tensor index drops or gathers positions
        _, start, _, step = item
        if dim < 2:
            continue
        start = start or 0
        window.append((step or 1, start + shape[dim] if start < 0 else start, 0))
    return window
