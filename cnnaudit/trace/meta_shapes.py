"""The result fast_meta gives for each op it answers with a function of its
own (``fast_meta._SPECIAL``): the output's shape, dtype and layout from the
arguments, and the aten ops with the MACs the real op would book. Each
returns ``(result, ops)``, or None to let the real op run (and raise what it
raises: the error rules read those errors).

Every result here is checked against torch's own meta kernel on six layouts
and summaries with and without are identical (tests/test_tracer.py,
benchmarks/fast_meta_identity.py).
"""

from __future__ import annotations

import math

# Broadcasting arithmetic (``x * se``, ``x + shortcut``): 0.3 ms a call on
# meta through torch's elementwise prims. name → (aten op, in place?)
BROADCASTING = {
    "add": ("aten::add", False), "sub": ("aten::sub", False), "mul": ("aten::mul", False),
    "div": ("aten::div", False), "add_": ("aten::add_", True), "sub_": ("aten::sub_", True),
    "mul_": ("aten::mul_", True), "div_": ("aten::div_", True),
}


def broadcasting(torch, name, first, args, kwargs):
    """Two tensors of one floating dtype (or a tensor and a Python number),
    all contiguous: the result is a contiguous tensor of the broadcast shape
    (TensorIterator keeps the default order when every operand has it). Other
    dtypes, layouts, a ``rounding_mode``, or shapes that do not broadcast run
    the real op (which raises what it raises)."""
    aten, inplace = BROADCASTING[name]
    if len(args) != 2 or set(kwargs) - {"alpha"} or not first.is_floating_point() \
            or not first.is_contiguous():
        return None
    other = args[1]
    if isinstance(other, torch.Tensor):
        if type(other) is not torch.Tensor or other.device.type != "meta" or other.dim() == 0 \
                or other.dtype != first.dtype or not other.is_contiguous():
            return None
        shape = _broadcast(tuple(first.shape), tuple(other.shape))
    elif type(other) in (int, float):
        shape = tuple(first.shape)
    else:
        return None
    if shape is None:
        return None
    if inplace:
        return (first, aten) if shape == tuple(first.shape) else None
    return torch.empty(shape, dtype=first.dtype, device="meta"), aten


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(x if y == 1 else y)
    return tuple(out)


def mean(torch, name, first, args, kwargs):
    """``x.mean(dims, keepdim)`` of a contiguous floating tensor: contiguous."""
    if set(kwargs) - {"dim", "keepdim"} or len(args) > 3 or not first.is_floating_point() \
            or not first.is_contiguous():
        return None
    dims = argument(args, kwargs, 1, "dim")
    keepdim = argument(args, kwargs, 2, "keepdim") or False
    dims = (dims,) if isinstance(dims, int) else dims
    if not isinstance(dims, (tuple, list)) or not dims or type(keepdim) is not bool:
        return None
    rank = first.dim()
    if not all(type(d) is int and -rank <= d < rank for d in dims):
        return None
    reduced = {d % rank for d in dims}
    if len(reduced) != len(dims):
        return None  # a dimension named twice: torch's error
    shape = [1 if i in reduced else size for i, size in enumerate(first.shape)
             if keepdim or i not in reduced]
    return torch.empty(shape, dtype=first.dtype, device="meta"), "aten::mean"


def global_average(torch, name, first, args, kwargs):
    """``adaptive_avg_pool2d(x, 1)`` dispatches to ``mean`` over the last two
    dimensions, keeping them: contiguous when ``x`` is."""
    size = argument(args, kwargs, 1, "output_size")
    if set(kwargs) - {"output_size"} or size not in (1, (1, 1), [1, 1]) \
            or first.dim() not in (3, 4) or not first.is_floating_point() \
            or not first.is_contiguous() or 0 in first.shape:
        return None
    return torch.empty(tuple(first.shape[:-2]) + (1, 1), dtype=first.dtype,
                       device="meta"), "aten::mean"


def _plain_meta(torch, tensor, dtype, rank=None, contiguous=True) -> bool:
    return (type(tensor) in (torch.Tensor, torch.nn.Parameter) and tensor.device.type == "meta"
            and tensor.dtype == dtype and (tensor.is_contiguous() or not contiguous)
            and (rank is None or tensor.dim() == rank))


def linear(torch, name, first, args, kwargs):
    """``F.linear`` of a contiguous input: ATen flattens it to 2-D and runs
    one ``addmm`` (with bias) or ``mm`` (without); through meta's Python
    kernels that was 1.3 ms a call on a vision transformer's blocks. Other
    layouts (a ``bmm`` path) and mismatched sizes run the real op."""
    weight = argument(args, kwargs, 1, "weight")
    bias = argument(args, kwargs, 2, "bias")
    if set(kwargs) - {"weight", "bias"} or len(args) > 3 or first.dim() < 2 \
            or not first.is_floating_point() or not first.is_contiguous() \
            or not _plain_meta(torch, weight, first.dtype, 2) or weight.shape[1] != first.shape[-1]:
        return None
    if bias is not None and not (_plain_meta(torch, bias, first.dtype, 1)
                                 and bias.shape[0] == weight.shape[0]):
        return None
    rows = first.numel() // first.shape[-1] if first.shape[-1] else 0
    macs = rows * weight.shape[0] * weight.shape[1]
    out = torch.empty(tuple(first.shape[:-1]) + (weight.shape[0],), dtype=first.dtype,
                      device="meta")
    return out, [("aten::addmm" if bias is not None else "aten::mm", macs)]


def attention(torch, name, first, args, kwargs):
    """``scaled_dot_product_attention`` without mask, dropout, causality or a
    scale, on 4-D q, k, v: on meta it runs the math decomposition — q and k
    scaled (two ``mul``), two ``bmm`` (copies and views around them, no
    arithmetic) and a ``_safe_softmax`` — whose output is the last ``bmm``'s,
    contiguous, whatever the inputs' strides."""
    if len(args) != 3 or any(kwargs.get(key) not in (None, 0.0, False) for key in
                             ("attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa")) \
            or set(kwargs) - {"attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa"}:
        return None
    query, key, value = args
    if not first.is_floating_point() or not all(
            _plain_meta(torch, t, first.dtype, 4, contiguous=False) for t in (query, key, value)):
        return None
    batch, heads, length, embed = query.shape
    if tuple(key.shape[:2]) != (batch, heads) or tuple(value.shape[:2]) != (batch, heads) \
            or key.shape[3] != embed or key.shape[2] != value.shape[2]:
        return None
    source, value_embed = key.shape[2], value.shape[3]
    pairs = batch * heads * length * source
    out = torch.empty((batch, heads, length, value_embed), dtype=first.dtype, device="meta")
    return out, [("aten::mul", None), ("aten::mul", None), ("aten::bmm", pairs * embed),
                 ("aten::_safe_softmax", None), ("aten::bmm", pairs * value_embed)]


def convolution(torch, name, first, args, kwargs):
    """``conv1d/2d/3d`` of a batched, contiguous input with a contiguous
    weight and integer padding: one ``aten::convolution``, whose meta kernel
    (Python shape arithmetic, ~0.1 ms a call) gives a contiguous tensor of the
    shape below. Anything else (string padding, channels-last, unbatched
    input, sizes the op would reject) runs the real op, which raises what it
    raises: CNA103 and the wrong-rank diagnosis read those errors."""
    if set(kwargs) - set(_CONV_ARGUMENTS) or len(args) > len(_CONV_ARGUMENTS) + 1:
        return None
    weight, bias, stride, padding, dilation, groups = (
        argument(args, kwargs, i, key) for i, key in enumerate(_CONV_ARGUMENTS, start=1))
    spatial = first.dim() - 2
    if spatial not in (1, 2, 3) or not first.is_floating_point() or not first.is_contiguous() \
            or not _plain_meta(torch, weight, first.dtype, first.dim()):
        return None
    groups = 1 if groups is None else groups
    stride, padding, dilation = (_per_dim(v, default, spatial) for v, default in
                                 ((stride, 1), (padding, 0), (dilation, 1)))
    if type(groups) is not int or groups < 1 or None in (stride, padding, dilation) \
            or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        return None
    out_channels, in_per_group, *kernel = weight.shape
    if in_per_group * groups != first.shape[1] or out_channels % groups or not out_channels:
        return None
    if bias is not None and not (_plain_meta(torch, bias, first.dtype, 1)
                                 and bias.shape[0] == out_channels):
        return None
    sizes = [_windows(length, dil * (k - 1) + 1, step, pad) for length, pad, dil, k, step
             in zip(first.shape[2:], padding, dilation, kernel, stride)]
    if min(sizes) < 1 or not first.shape[0]:
        return None  # the kernel does not fit: torch's own error
    shape = (first.shape[0], out_channels, *sizes)
    macs = math.prod(shape) * in_per_group * math.prod(kernel)
    return torch.empty(shape, dtype=first.dtype, device="meta"), [("aten::convolution", macs)]


_CONV_ARGUMENTS = ("weight", "bias", "stride", "padding", "dilation", "groups")


def pooling(torch, name, first, args, kwargs):
    """``max_pool2d`` / ``avg_pool2d`` of a contiguous 4-D map: one aten op
    (``max_pool2d_with_indices`` — its indices discarded — or ``avg_pool2d``),
    contiguous, of torch's pooling output size (the meta kernel is Python
    shape code: 114 µs a call against 23). Indices asked for, channels-last or unbatched maps,
    and arguments torch rejects run the real op."""
    names = _MAX_POOL_ARGUMENTS if name == "max_pool2d" else _AVG_POOL_ARGUMENTS
    if set(kwargs) - set(names) or len(args) > len(names) + 1:
        return None
    values = dict(zip(names, (argument(args, kwargs, i, key)
                              for i, key in enumerate(names, start=1))))
    if first.dim() != 4 or not first.is_floating_point() or not first.is_contiguous() \
            or not first.numel() or values.get("return_indices") \
            or values.get("divisor_override") is not None:
        return None
    kernel = _per_dim(values["kernel_size"], None, 2)
    stride = _per_dim(values["stride"], None, 2) if values["stride"] not in (None, [], ()) \
        else kernel
    padding = _per_dim(values["padding"], 0, 2)
    dilation = _per_dim(values.get("dilation"), 1, 2)
    ceil_mode = values.get("ceil_mode") or False
    if None in (kernel, stride, padding, dilation) or type(ceil_mode) is not bool \
            or min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        return None
    sizes = []
    for length, k, step, pad, dil in zip(first.shape[2:], kernel, stride, padding, dilation):
        extent = dil * (k - 1) + 1
        if pad > (extent // 2 if name == "max_pool2d" else k // 2):
            return None  # "pad should be at most half of effective kernel size"
        size = _windows(length, extent, step, pad, ceil_mode)
        if size < 1:
            return None
        sizes.append(size)
    aten = "aten::max_pool2d_with_indices" if name == "max_pool2d" else "aten::avg_pool2d"
    return torch.empty((*first.shape[:2], *sizes), dtype=first.dtype, device="meta"), aten


def softmax(torch, name, first, args, kwargs):
    """``softmax`` / ``log_softmax`` of a contiguous floating tensor over a
    given dim, without a dtype: one ``aten::_softmax`` / ``_log_softmax``,
    contiguous (a classifier's last op; on meta a Python decomposition,
    1.5 ms a call). An implicit dim or a dtype runs the real op."""
    if set(kwargs) - {"dim", "_stacklevel", "dtype"} or len(args) > 4:
        return None
    dim = argument(args, kwargs, 1, "dim")
    rank = first.dim()
    if type(dim) is not int or not rank or not -rank <= dim < rank \
            or argument(args, kwargs, 3, "dtype") is not None \
            or not first.is_floating_point() or not first.is_contiguous():
        return None
    return (torch.empty(first.shape, dtype=first.dtype, device="meta"),
            "aten::_log_softmax" if name == "log_softmax" else "aten::_softmax")


def _windows(length: int, extent: int, step: int, pad: int, ceil_mode: bool = False) -> int:
    """How many windows of ``extent`` (dilation applied) fit along ``length``
    padded by ``pad`` on each side, ``step`` apart: a convolution's or a
    pooling's output size (ceil mode: a last partial window counts, if it
    starts inside the map or its left padding). Below 1: torch raises."""
    size = (length + 2 * pad - extent + (step - 1 if ceil_mode else 0)) // step + 1
    if ceil_mode and (size - 1) * step >= length + pad:
        size -= 1
    return size


_MAX_POOL_ARGUMENTS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                       "return_indices")
_AVG_POOL_ARGUMENTS = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                       "divisor_override")


def concatenate(torch, name, first, args, kwargs):
    """``torch.cat`` of contiguous tensors of one dtype and rank that agree
    outside ``dim``: one contiguous ``aten::cat`` (its meta kernel is a Python
    reference, ~0.3 ms a call; GhostNet joins every block with one). Other
    layouts, dtypes, legacy empty tensors, an ``out=`` or mismatched sizes
    run the real op."""
    if set(kwargs) - {"tensors", "dim"} or len(args) > 2:
        return None
    tensors = argument(args, kwargs, 0, "tensors")
    dim = argument(args, kwargs, 1, "dim")
    dim = 0 if dim is None else dim
    if not isinstance(tensors, (list, tuple)) or not tensors or type(dim) is not int:
        return None
    head = tensors[0]
    if type(head) is not torch.Tensor or not head.is_floating_point():
        return None
    rank = head.dim()
    if not rank or not -rank <= dim < rank \
            or not all(_plain_meta(torch, t, head.dtype, rank) and type(t) is torch.Tensor
                       for t in tensors):
        return None
    dim %= rank
    outside = [size for i, size in enumerate(head.shape) if i != dim]
    if any([size for i, size in enumerate(t.shape) if i != dim] != outside for t in tensors):
        return None
    shape = list(head.shape)
    shape[dim] = sum(t.shape[dim] for t in tensors)
    return torch.empty(shape, dtype=head.dtype, device="meta"), [("aten::cat", 0)]  # no arithmetic


def _per_dim(value, default, dims: int):
    """An int or a tuple of ``dims`` ints (a convolution's stride, padding,
    dilation) as a tuple; None for anything else (``padding="same"``)."""
    if value is None:
        value = default
    if type(value) is int:
        return (value,) * dims
    if isinstance(value, (tuple, list)) and len(value) == dims \
            and all(type(v) is int for v in value):
        return tuple(value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and type(value[0]) is int:
        return (value[0],) * dims
    return None


def argument(args, kwargs, index, key):
    return kwargs.get(key, args[index] if len(args) > index else None)
