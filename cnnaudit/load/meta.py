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


# What a function seen during a build is, decided once per function: most
# calls (attribute reads, ``no_grad``'s switches) only pass through.
_PASS, _FACTORY, _INIT, _VALUE_WRITE = "pass", "factory", "init", "value write"


def _kind_of(func, factories) -> str:
    if func in factories:
        return _FACTORY
    name = getattr(func, "__name__", "")
    if name in _INIT_FUNCTIONS and getattr(func, "__module__", None) == "torch.nn.init":
        return _INIT
    if name in _VALUE_ONLY_METHODS and \
            getattr(func, "__qualname__", "").startswith(("TensorBase.", "Tensor.")):
        return _VALUE_WRITE
    return _PASS


def _skip_value_write(torch, kind, func, args, kwargs):
    """The meta tensor a value-only write would return, without running it
    (None: run it). Only plain scalars may accompany a method, so the result's
    shape is the tensor's and nothing a real run would raise is hidden; the
    ``nn.init`` functions keep their argument checks."""
    tensor = args[0] if args else kwargs.get("tensor")
    if not isinstance(tensor, torch.Tensor) or tensor.device.type != "meta":
        return None
    if kind == _INIT:
        if func.__name__ in _FAN_CHECKED:
            torch.nn.init._calculate_fan_in_and_fan_out(tensor)
        return tensor
    rest = list(args[1:]) + list(kwargs.values())
    if not all(isinstance(v, (int, float, bool)) or v is None for v in rest):
        return None
    if not tensor.is_floating_point() and func.__name__ not in ("fill_", "zero_"):
        return None  # integer tensors: let torch decide what it accepts
    return tensor


def _in_torch_layers(frame, layers_dir: str) -> bool:
    """Is this the code of one of torch's own layers (``nn.Conv2d.__init__``)?
    Those never compute with the values of the tensors they create, so their
    parameters and buffers can be born on meta, saving a copy each."""
    return frame is not None and frame.f_code.co_filename.startswith(layers_dir)


@contextmanager
def parameters_on_meta():
    """Every registered parameter and buffer moves to meta as it is registered;
    large factory calls without a device, and those of torch's own layers,
    are created there directly."""
    import os
    import sys

    import torch
    from torch import nn
    from torch.overrides import TorchFunctionMode

    factories = {getattr(torch, n) for n in _FACTORY_NAMES}
    meta = torch.device("meta")
    layers_dir = os.path.dirname(nn.modules.conv.__file__) + os.sep
    kinds: dict = {}

    class BigFactoriesOnMeta(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            try:
                kind = kinds.get(func)
                if kind is None:
                    kind = kinds[func] = _kind_of(func, factories)
            except TypeError:  # unhashable: not one of torch's factories or init functions
                kind = _PASS
            if kind == _PASS:
                return func(*args, **kwargs)
            if kind == _FACTORY:
                if kwargs.get("device") is None and (
                        _in_torch_layers(sys._getframe(1), layers_dir)
                        or _requested_numel(func, args) >= BIG_TENSOR_ELEMENTS):
                    kwargs["device"] = meta
                return func(*args, **kwargs)
            skipped = _skip_value_write(torch, kind, func, args, kwargs)
            return skipped if skipped is not None else func(*args, **kwargs)

    original_parameter = nn.Module.register_parameter
    original_buffer = nn.Module.register_buffer

    def register_parameter(module, name, param):
        original_parameter(module, name, param)
        with torch._C.DisableTorchFunction():  # our reads are not the model's calls
            _move_parameter(module, name)

    def _move_parameter(module, name):
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
        with torch._C.DisableTorchFunction():
            _move_buffer(module, name)

    def _move_buffer(module, name):
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
