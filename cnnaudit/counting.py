"""MAC formulas, one small pure function per aten op family, from shapes to counts.

The convention is torchvision's published one: multiply-accumulates of
convolutions and matrix products (linear layers, matmul, attention). Norms,
activations, pooling and elementwise ops are not counted; ops that did run
without a formula are reported by the tracer, never silently zeroed.
FLOPs are 2 × MACs.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod

# aten op name (overload packet) → formula(args, kwargs, out) -> MACs
MAC_FORMULAS: dict[str, Callable] = {}


def mac_formula(*op_names: str):
    """Register a formula for the named aten ops (``"aten::mm"`` style)."""

    def register(formula):
        for name in op_names:
            MAC_FORMULAS[name] = formula
        return formula

    return register


def _shape(t) -> tuple[int, ...]:
    return tuple(t.shape)


@mac_formula("aten::convolution", "aten::_convolution", "aten::convolution_overrideable",
             "aten::cudnn_convolution", "aten::mkldnn_convolution")
def conv_macs(args, kwargs, out) -> int:
    x, weight = args[0], args[1]
    transposed = args[6] if len(args) > 6 else kwargs.get("transposed", False)
    # weight is (C_out, C_in/groups, *k) for a convolution and
    # (C_in, C_out/groups, *k) for a transposed one: every output (resp. input)
    # element costs C_in/groups × k (resp. C_out/groups × k) MACs.
    per_element = _shape(weight)[1] * prod(_shape(weight)[2:])
    return (x.numel() if transposed else out.numel()) * per_element


@mac_formula("aten::mm", "aten::addmm")
def mm_macs(args, kwargs, out) -> int:
    a, b = (args[0], args[1]) if len(args) == 2 else (args[1], args[2])
    m, k = _shape(a)
    return m * k * _shape(b)[-1]


@mac_formula("aten::bmm", "aten::baddbmm")
def bmm_macs(args, kwargs, out) -> int:
    a, b = (args[0], args[1]) if len(args) == 2 else (args[1], args[2])
    batch, m, k = _shape(a)
    return batch * m * k * _shape(b)[-1]


@mac_formula("aten::linear")
def linear_macs(args, kwargs, out) -> int:
    x, weight = args[0], args[1]
    return x.numel() // _shape(x)[-1] * prod(_shape(weight))


@mac_formula("aten::_scaled_dot_product_flash_attention",
             "aten::_scaled_dot_product_efficient_attention",
             "aten::_scaled_dot_product_cudnn_attention",
             "aten::_scaled_dot_product_flash_attention_for_cpu",
             "aten::_scaled_dot_product_attention_math",
             "aten::scaled_dot_product_attention")
def sdpa_macs(args, kwargs, out) -> int:
    q, k, v = args[0], args[1], args[2]
    *batch, length, embed = _shape(q)
    source = _shape(k)[-2]
    # Q·Kᵀ, then the attention weights · V.
    return prod(batch) * length * source * (embed + _shape(v)[-1])


# Ops that move, view or reshape data, or only create it: no arithmetic to
# report. Everything else without a formula is listed as "not counted".
_NO_ARITHMETIC = {
    "view", "_unsafe_view", "reshape", "_reshape_alias", "permute", "transpose", "t", "expand",
    "squeeze", "unsqueeze", "flatten", "unflatten", "slice", "select", "as_strided",
    "clone", "contiguous", "detach", "alias", "lift_fresh", "_to_copy", "copy_", "copy",
    "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided", "zeros", "zeros_like",
    "ones", "ones_like", "full", "full_like", "fill_", "zero_", "arange", "cat", "stack", "split",
    "split_with_sizes", "chunk", "unbind", "narrow", "index_select", "gather", "index",
    "repeat", "roll", "pad", "constant_pad_nd", "new_zeros", "new_ones", "new_full",
    "_local_scalar_dense", "scalar_tensor", "split_copy", "view_copy", "unsafe_split",
    "_has_compatible_shallow_copy_type", "is_same_size", "lift_fresh_copy", "sym_size",
    "sym_stride", "sym_numel", "sym_storage_offset", "dim", "size", "stride", "numel",
    "resize_", "set_", "masked_fill", "masked_fill_", "where", "rand", "randn", "rand_like",
    "randn_like", "bernoulli", "bernoulli_", "uniform_", "normal_", "native_dropout", "dropout",
    "_to_dtype", "to", "unsqueeze_", "squeeze_", "diagonal", "tril", "triu",
}


def op_name(func) -> str:
    """``aten.addmm.default`` → ``"aten::addmm"``."""
    packet = getattr(func, "_overloadpacket", None)
    return packet._qualified_op_name if packet is not None else str(func)


def count(func, args, kwargs, out) -> tuple[str, int | None]:
    """(op name, MACs) for one aten call; MACs is None when the op has no formula
    and does arithmetic the convention leaves out."""
    name = op_name(func)
    formula = MAC_FORMULAS.get(name)
    if formula is not None:
        return name, int(formula(args, kwargs, out))
    short = name.split("::", 1)[-1]
    if short in _NO_ARITHMETIC:
        return name, 0
    return name, None
