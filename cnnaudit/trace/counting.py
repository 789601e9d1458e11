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

# aten op name (overload packet) → formula(*args, out_shape, **kwargs) -> MACs,
# where every tensor argument (also inside lists) is replaced by its shape, as
# in torch.utils.flop_counter: formulas are arithmetic on shapes, testable
# without tensors.
MAC_FORMULAS: dict[str, Callable] = {}


def register_mac_formula(op_name: str, formula: Callable) -> Callable:
    """Count MACs of the aten op ``op_name`` (``"aten::mm"``, or a custom op
    such as ``"mylib::fused_conv"``) with ``formula(*args, out_shape, **kwargs)``,
    where tensors arrive as shape tuples. A second formula for the same op is a
    mistake (two counts would disagree silently), so it raises ``ValueError``."""
    if op_name in MAC_FORMULAS:
        raise ValueError(f"a MAC formula for {op_name} is already registered "
                         f"({MAC_FORMULAS[op_name].__qualname__})")
    MAC_FORMULAS[op_name] = formula
    return formula


def mac_formula(*op_names: str):
    """Decorator form of ``register_mac_formula`` for several op names."""

    def register(formula):
        for name in op_names:
            register_mac_formula(name, formula)
        return formula

    return register


@mac_formula("aten::convolution", "aten::_convolution", "aten::convolution_overrideable",
             "aten::cudnn_convolution", "aten::mkldnn_convolution")
def conv_macs(x_shape, w_shape, *rest, out_shape, transposed=False, **kwargs) -> int:
    if len(rest) > 4:  # positional: bias, stride, padding, dilation, transposed, ...
        transposed = rest[4]
    # weight is (C_out, C_in/groups, *k) for a convolution and
    # (C_in, C_out/groups, *k) for a transposed one: every output (resp. input)
    # element costs C_in/groups × k (resp. C_out/groups × k) MACs.
    per_element = w_shape[1] * prod(w_shape[2:])
    return prod(x_shape if transposed else out_shape) * per_element


@mac_formula("aten::mm", "aten::addmm")
def mm_macs(*args, out_shape, **kwargs) -> int:
    a, b = (args[0], args[1]) if len(args) == 2 else (args[1], args[2])
    m, k = a
    return m * k * b[-1]


@mac_formula("aten::bmm", "aten::baddbmm")
def bmm_macs(*args, out_shape, **kwargs) -> int:
    a, b = (args[0], args[1]) if len(args) == 2 else (args[1], args[2])
    batch, m, k = a
    return batch * m * k * b[-1]


@mac_formula("aten::linear")
def linear_macs(x_shape, w_shape, *rest, out_shape, **kwargs) -> int:
    return prod(x_shape) // x_shape[-1] * prod(w_shape)


@mac_formula("aten::_scaled_dot_product_flash_attention",
             "aten::_scaled_dot_product_efficient_attention",
             "aten::_scaled_dot_product_cudnn_attention",
             "aten::_scaled_dot_product_flash_attention_for_cpu",
             "aten::_scaled_dot_product_attention_math",
             "aten::scaled_dot_product_attention")
def sdpa_macs(q_shape, k_shape, v_shape, *rest, out_shape, **kwargs) -> int:
    *batch, length, embed = q_shape
    source = k_shape[-2]
    # Q·Kᵀ, then the attention weights · V.
    return prod(batch) * length * source * (embed + v_shape[-1])


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
        return name, int(formula(*_shapes(args), out_shape=_shapes(out), **_shapes(kwargs)))
    short = name.split("::", 1)[-1]
    if short in _NO_ARITHMETIC:
        return name, 0
    return name, None


def _shapes(value):
    """Tensors replaced by their shapes, in nested lists, tuples and dicts."""
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return tuple(shape)
    if isinstance(value, (list, tuple)):
        return type(value)(_shapes(v) for v in value) if not hasattr(value, "_fields") \
            else tuple(_shapes(v) for v in value)
    if isinstance(value, dict):
        return {k: _shapes(v) for k, v in value.items()}
    return value
