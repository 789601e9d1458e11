"""Autocast emulated on meta tensors, which carry no Autocast dispatch key."""

from __future__ import annotations

# Op lists after torch.amp's autocast policy: matrix products run in the low
# precision, numerically sensitive reductions in float32.
_AUTOCAST_LOW = {
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "linear", "matmul", "__matmul__", "__rmatmul__", "mm", "bmm", "addmm", "baddbmm", "addbmm",
    "einsum", "scaled_dot_product_attention", "prelu", "chain_matmul", "multi_dot",
}
_AUTOCAST_FLOAT32 = {
    "softmax", "log_softmax", "layer_norm", "group_norm", "cross_entropy", "nll_loss",
    "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss",
    "cosine_similarity",
    "exp", "log", "pow", "norm", "cumsum", "cumprod", "sum", "prod", "rsqrt",
}


def autocast_arguments(torch, func, args, kwargs, low_dtype):
    """Emulate autocast: meta tensors get no Autocast dispatch key, so the casts
    autocast would insert (and the low-precision copies autograd then saves)
    are made here."""
    name = getattr(func, "__name__", "")
    if name in _AUTOCAST_LOW:
        target = low_dtype
    elif name in _AUTOCAST_FLOAT32:
        target = torch.float32
    else:
        return args, kwargs

    def cast(value):
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.dtype != target:
            return value.to(target)
        if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value):
            return type(value)(cast(v) for v in value)
        return value

    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}
