"""Ops answered without running torch's meta kernels: convolutions, pooling,
shape-preserving activations and norms, softmax, broadcasting arithmetic,
concatenation, means, Linear and attention.

On meta tensors many ops run torch's Python decompositions: a BatchNorm in
eval mode goes through ``native_batch_norm_helper`` (7 ms a call), a
``hardswish`` through its decomposition (24 ms a call) — more than the rest of
a mobile network's trace together. Their output is known without running
them: the input's shape and dtype, in the layout the kernel gives —
elementwise ops keep the input's strides (``empty_like``), batch norm uses the
input's suggested memory format, layer and group norm are contiguous (each
checked against torch's kernel on six layouts, tests/test_tracer.py) — or the
input itself, in place. So under ``no_grad`` (nothing is saved for backward),
on plain meta tensors, the recorder answers them here and counts the aten op
each stands for, so the summary's "not counted" line, the parameters read
(CNA205) and the batch-dependence of the output are as if it had run.
Linear and attention are answered with the aten ops they run on meta and
their MACs (``addmm``/``mm``; ``bmm`` twice for attention). Identical
summaries with and without are tested on a model of every answered op and of
every case left to torch, and on torchvision's and timm's models
(tests/test_tracer.py); all 80 torchvision models stay exact with it
(benchmarks/torchvision_exactness.py).

This module decides which calls are answered (the op table, the arguments'
consistency); ``meta_shapes`` holds what each answer is.
"""

from __future__ import annotations

from . import meta_shapes as shapes

# function name → (aten op it dispatches to, its in-place twin, index of a
# positional ``inplace`` argument or None)
SHAPE_PRESERVING = {
    "relu": ("aten::relu", "aten::relu_", 1),
    "relu_": ("aten::relu_", "aten::relu_", None),
    "hardswish": ("aten::hardswish", "aten::hardswish_", 1),
    "silu": ("aten::silu", "aten::silu_", 1),
    "relu6": ("aten::hardtanh", "aten::hardtanh_", 1),
    "hardtanh": ("aten::hardtanh", "aten::hardtanh_", 3),  # nn.ReLU6 calls it
    "hardtanh_": ("aten::hardtanh_", "aten::hardtanh_", None),
    "mish": ("aten::mish", "aten::mish_", 1),
    "elu": ("aten::elu", "aten::elu_", 2),
    "selu": ("aten::elu", "aten::elu_", 1),  # composite: dispatches to elu
    "hardsigmoid": ("aten::hardsigmoid", "aten::hardsigmoid_", 1),
    "leaky_relu": ("aten::leaky_relu", "aten::leaky_relu_", 2),
    "gelu": ("aten::gelu", None, None),
    "sigmoid": ("aten::sigmoid", None, None),
    "sigmoid_": ("aten::sigmoid_", "aten::sigmoid_", None),
    "tanh": ("aten::tanh", None, None),
    "batch_norm": ("aten::native_batch_norm", None, None),
    "layer_norm": ("aten::native_layer_norm", None, None),
    "group_norm": ("aten::native_group_norm", None, None),
}


def answer(torch, name: str, args, kwargs):
    """(result, [(aten op, MACs or None for not counted), ...]) when ``name``
    can be answered without running it, else None."""
    found = _answer(torch, name, args, kwargs)
    if found is None:
        return None
    result, ops = found
    return (result, [(ops, None)]) if isinstance(ops, str) else (result, ops)


def _answer(torch, name, args, kwargs):
    entry = SHAPE_PRESERVING.get(name)
    special = _SPECIAL.get(name)
    if entry is None and special is None:
        return None
    if not args or torch.is_grad_enabled():
        return None
    first = args[0]
    if name in _LIST_FIRST:  # torch.cat: a list of tensors, each checked by its handler
        return special(torch, name, first, args, kwargs)
    if type(first) is not torch.Tensor or first.device.type != "meta":
        return None  # real values, or a tensor subclass with its own rules
    if special is not None:
        return special(torch, name, first, args, kwargs)
    if name == "batch_norm" and shapes.argument(args, kwargs, 5, "training"):
        return None
    if not _consistent(torch, name, first, args, kwargs):
        return None  # let the real op raise its error: the error rules read it
    aten, inplace_aten, inplace_index = entry
    inplace = bool(kwargs.get("inplace", args[inplace_index] if inplace_index is not None
                              and len(args) > inplace_index else False)) or name.endswith("_")
    if inplace:
        return first, inplace_aten or aten
    if name in ("layer_norm", "group_norm"):  # their meta kernels: contiguous
        return torch.empty(first.shape, dtype=first.dtype, device="meta"), aten
    if name == "batch_norm":
        return torch.empty(first.shape, dtype=first.dtype, device="meta",
                           memory_format=_suggested_format(torch, first)), aten
    return _empty_like(torch, first), aten


def _empty_like(torch, tensor):
    """``torch.empty_like(tensor)``: on meta that runs torch's Python
    reference (~60 µs; ``torch.empty_strided`` takes 4). A dense tensor
    (contiguous or channels-last) keeps its exact strides, as empty_like
    keeps them; anything else goes to empty_like itself."""
    dense = tensor.is_contiguous() or (
        tensor.dim() == 4 and tensor.is_contiguous(memory_format=torch.channels_last)) or (
        tensor.dim() == 5 and tensor.is_contiguous(memory_format=torch.channels_last_3d))
    if not dense or not tensor.numel():
        return torch.empty_like(tensor)
    return torch.empty_strided(tensor.shape, tensor.stride(), dtype=tensor.dtype, device="meta")


# function name → handler(torch, name, first argument, args, kwargs) for the
# ops answered by a function of their own (meta_shapes; the shape-preserving
# ones above share _answer's body)
_SPECIAL = {
    **dict.fromkeys(shapes.BROADCASTING, shapes.broadcasting),
    "mean": shapes.mean, "adaptive_avg_pool2d": shapes.global_average,
    "linear": shapes.linear, "scaled_dot_product_attention": shapes.attention,
    "conv1d": shapes.convolution, "conv2d": shapes.convolution, "conv3d": shapes.convolution,
    "max_pool2d": shapes.pooling, "avg_pool2d": shapes.pooling,
    "softmax": shapes.softmax, "log_softmax": shapes.softmax,
    "cat": shapes.concatenate,
}
_LIST_FIRST = {"cat"}


def _consistent(torch, name, first, args, kwargs) -> bool:
    """Would the real op accept these arguments? A BatchNorm built for other
    channels must still fail (CNA103 reads that failure)."""
    def sized(tensor, size) -> bool:
        return tensor is None or (isinstance(tensor, torch.Tensor) and tensor.dim() == 1
                                  and tensor.numel() == size)

    if name == "batch_norm":
        if first.dim() < 2:
            return False
        channels = first.shape[1]
        return all(sized(shapes.argument(args, kwargs, i, key), channels) for i, key in
                   enumerate(("running_mean", "running_var", "weight", "bias"), start=1))
    if name == "group_norm":
        groups = shapes.argument(args, kwargs, 1, "num_groups")
        if first.dim() < 2 or not isinstance(groups, int) or groups <= 0 \
                or first.shape[1] % groups:
            return False
        return all(sized(shapes.argument(args, kwargs, i, key), first.shape[1])
                   for i, key in ((2, "weight"), (3, "bias")))
    if name == "layer_norm":
        shape = shapes.argument(args, kwargs, 1, "normalized_shape")
        shape = (shape,) if isinstance(shape, int) else tuple(shape or ())
        if not shape or tuple(first.shape[-len(shape):]) != shape:
            return False
        return all(t is None or (isinstance(t, torch.Tensor) and tuple(t.shape) == shape)
                   for t in (shapes.argument(args, kwargs, 2, "weight"),
                             shapes.argument(args, kwargs, 3, "bias")))
    return True


def _suggested_format(torch, tensor):
    """ATen's ``suggest_memory_format``: channels-last when the strides are."""
    if tensor.dim() == 4 and tensor.is_contiguous(memory_format=torch.channels_last) \
            and not tensor.is_contiguous():
        return torch.channels_last
    if tensor.dim() == 5 and tensor.is_contiguous(memory_format=torch.channels_last_3d) \
            and not tensor.is_contiguous():
        return torch.channels_last_3d
    return torch.contiguous_format
