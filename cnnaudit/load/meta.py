"""Building a model without allocating its weights.

Parameters and buffers move to the meta device as they are registered
(accelerate's ``init_empty_weights`` idea), so constructors that compute with
small tensors (torchvision's RegNets call ``.tolist()``) still run, while any
factory call big enough to matter is born on meta (a 51 GB ``Linear`` never
touches RAM).
"""

from __future__ import annotations

from contextlib import contextmanager

# Factories whose result we may create on meta when it is large.
_FACTORY_NAMES = ("empty", "zeros", "ones", "full", "rand", "randn", "randint", "empty_strided")
# Below this many elements a tensor is cheap to create for real, and real
# values keep constructors that compute with them (``.tolist()``) working.
BIG_TENSOR_ELEMENTS = 1 << 22
# In-place tensor methods that only write values. On a meta tensor there are
# no values, but torch still runs their meta kernels, and for the random ones
# those are Python decompositions (``normal_`` ≈ 1 ms a call): weight
# initialization was half of building a small timm model on meta.
_VALUE_ONLY_METHODS = frozenset((
    "normal_", "uniform_", "random_", "exponential_", "log_normal_", "cauchy_", "geometric_",
    "bernoulli_", "fill_", "zero_", "erfinv_", "clamp_", "clamp_min_", "clamp_max_", "mul_",
    "add_", "sub_", "div_", "sqrt_", "abs_", "neg_",
))
# ``torch.nn.init`` functions: value-only once their arguments are checked
# (the fan computations raise for tensors with too few dimensions, as on the CPU).
_INIT_FUNCTIONS = frozenset((
    "normal_", "uniform_", "trunc_normal_", "constant_", "ones_", "zeros_", "kaiming_uniform_",
    "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
))
_FAN_CHECKED = frozenset(("kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
                          "xavier_normal_"))


def _requested_numel(func, args) -> int:
    if not args:
        return 0
    size = args[0]
    if func.__name__ == "randint":  # randint(high, size) / randint(low, high, size)
        size = next((a for a in args if isinstance(a, (tuple, list))), ())
    elif isinstance(size, int):
        size = args if func.__name__ != "full" else ()
    numel = 1
    try:
        for dim in size:
            numel *= int(dim)
    except TypeError:
        return 0
    return numel


def _skip_value_write(torch, func, args, kwargs):
    """The meta tensor a value-only write would return, without running it
    (None: run it). Only plain scalars may accompany a method, so the result's
    shape is the tensor's and nothing a real run would raise is hidden; the
    ``nn.init`` functions keep their argument checks."""
    name = getattr(func, "__name__", "")
    if name not in _VALUE_ONLY_METHODS and name not in _INIT_FUNCTIONS:
        return None  # most calls: attribute reads, factories, constructors' own ops
    tensor = args[0] if args else kwargs.get("tensor")
    if not isinstance(tensor, torch.Tensor) or tensor.device.type != "meta":
        return None
    if getattr(func, "__module__", None) == "torch.nn.init":
        if name not in _INIT_FUNCTIONS:
            return None
        if name in _FAN_CHECKED:
            torch.nn.init._calculate_fan_in_and_fan_out(tensor)
        return tensor
    qualname = getattr(func, "__qualname__", "")
    if name not in _VALUE_ONLY_METHODS or not qualname.startswith(("TensorBase.", "Tensor.")):
        return None
    rest = list(args[1:]) + list(kwargs.values())
    if not all(isinstance(v, (int, float, bool)) or v is None for v in rest):
        return None
    if not tensor.is_floating_point() and name not in ("fill_", "zero_"):
        return None  # integer tensors: let torch decide what it accepts
    return tensor


@contextmanager
def parameters_on_meta():
    """Every registered parameter and buffer moves to meta as it is registered;
    large factory calls without a device are created there directly."""
    import torch
    from torch import nn
    from torch.overrides import TorchFunctionMode

    factories = {getattr(torch, n) for n in _FACTORY_NAMES}
    meta = torch.device("meta")

    class BigFactoriesOnMeta(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            skipped = _skip_value_write(torch, func, args, kwargs)
            if skipped is not None:
                return skipped
            if (
                func in factories
                and kwargs.get("device") is None
                and _requested_numel(func, args) >= BIG_TENSOR_ELEMENTS
            ):
                kwargs["device"] = meta
            return func(*args, **kwargs)

    original_parameter = nn.Module.register_parameter
    original_buffer = nn.Module.register_buffer

    def register_parameter(module, name, param):
        original_parameter(module, name, param)
        param = module._parameters.get(name)
        if param is None or param.device.type == "meta":
            return
        if isinstance(param, nn.parameter.UninitializedParameter):
            return  # lazy modules size themselves on first call
        kwargs = dict(param.__dict__)
        kwargs["requires_grad"] = param.requires_grad
        module._parameters[name] = type(param)(param.to(meta), **kwargs)

    def register_buffer(module, name, tensor, persistent=True):
        original_buffer(module, name, tensor, persistent=persistent)
        buffer = module._buffers.get(name)
        if buffer is not None and buffer.device.type != "meta" and not isinstance(
            buffer, nn.parameter.UninitializedBuffer
        ):
            module._buffers[name] = buffer.to(meta)

    nn.Module.register_parameter = register_parameter
    nn.Module.register_buffer = register_buffer
    try:
        with BigFactoriesOnMeta():
            yield
    finally:
        nn.Module.register_parameter = original_parameter
        nn.Module.register_buffer = original_buffer
