"""The receptive field measured, not computed: backpropagate from one output
unit and see which input pixels get a gradient (issue 14's independent check).

The model is copied and made linear and positive so that every path shows:
float64, each conv/linear weight 1/fan-in (biases 0), BatchNorm the identity,
max pooling replaced by average pooling of the same geometry, an input of
1e-3 everywhere — so ReLUs (and ReLU6, far from its cap) pass everything, and
a pixel gets a non-zero gradient exactly when some path connects it to the
unit. Used by tests/test_receptive.py and
benchmarks/receptive_field_exactness.py.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn


@contextmanager
def max_pooling_as_average():
    """Functional and module max pooling computed as average pooling (same
    windows): a max sends its gradient to one pixel of the window only."""
    originals = {n: getattr(F, n) for n in ("max_pool1d", "max_pool2d", "max_pool3d")}
    averages = {"max_pool1d": F.avg_pool1d, "max_pool2d": F.avg_pool2d,
                "max_pool3d": F.avg_pool3d}

    def make(name):
        def pool(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 return_indices=False):
            assert dilation in (1, (1, 1), (1, 1, 1)), "dilated max pooling: not averaged"
            assert not return_indices
            return averages[name](input, kernel_size, stride, padding, ceil_mode)
        return pool

    try:
        for name in originals:
            setattr(F, name, make(name))
        yield
    finally:
        for name, original in originals.items():
            setattr(F, name, original)


class _Reached(Exception):
    def __init__(self, output):
        super().__init__()
        self.output = output


def linearized(model: nn.Module) -> nn.Module:
    model = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)):
                weight = module.weight
                fan_in = weight[0].numel() if not getattr(module, "transposed", False) \
                    else weight.shape[0] * weight[0, 0].numel()
                weight.fill_(1.0 / fan_in)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_parameters()  # mean 0, var 1, weight 1, bias 0
    return model


def measured_extent(model: nn.Module, input_shape, target: str, unit=None):
    """((first, last) input index per spatial dim, the unit measured) for the
    gradient of ``target``'s output (a module name; "" for the model's) at
    ``unit`` (default: the centre), summed over channels."""
    model = linearized(model)
    module = model.get_submodule(target) if target else model

    def stop(module, inputs, output):  # the rest of forward is not needed
        raise _Reached(output)

    handle = module.register_forward_hook(stop)
    # small, so that no capped activation (ReLU6) saturates after residual sums
    x = torch.full((1, *input_shape), 1e-3, dtype=torch.float64, requires_grad=True)
    try:
        with max_pooling_as_average():
            model(x)
        raise AssertionError(f"{target} was not called")
    except _Reached as reached:
        out = reached.output
    finally:
        handle.remove()
    out = out[0] if isinstance(out, (list, tuple)) else out
    unit = unit or tuple(n // 2 for n in out.shape[2:])
    out[(0, slice(None), *unit)].sum().backward()
    reached = (x.grad[0].abs().sum(0) > 0).nonzero()
    extents = tuple((int(reached[:, d].min()), int(reached[:, d].max()))
                    for d in range(reached.shape[1]))
    return extents, unit
