"""A k ≥ 5 kernel past the stem that stacked 3×3 convolutions could replace.

## What it does
Finds full convolutions past the stem with a kernel of 5 or more and proposes
`(k − 1) / 2` stacked 3×3 convolutions, which have the same receptive field,
with the parameters and MACs before and after (only when they are fewer, and
only for odd kernels whose padding the stack can reproduce).
Depthwise large kernels (ConvNeXt's 7×7) are cheap already and not reported.

## Why is this bad?
Parameters grow with k²: a 5×5 layer costs 25 weights per channel pair, two
3×3 layers 18 — and add a nonlinearity in between (VGG, Simonyan &
Zisserman 2015). Stacked 3×3 kernels are also the fastest cuDNN path.

## Example
```python
nn.Conv2d(64, 64, kernel_size=5, padding=2)
```

## Use instead
```python
nn.Conv2d(64, 64, kernel_size=3, padding=1), nn.ReLU(),
nn.Conv2d(64, 64, kernel_size=3, padding=1)
```
"""

from math import prod

from ..findings import Hit, Savings
from ..plans import stacked_plan
from . import rule
from ._conv_suggestions import candidate_convs, conv_params


def stacked_cost(spec, spatial_in):
    """(layers, parameters, MACs per sample) of the 3×3 stack that replaces
    the conv, layer by layer at its own resolution; None if none fits."""
    plan = stacked_plan(spec.kernel, spec.stride, spec.padding)
    if plan is None:
        return None
    params = macs = 0
    size = list(spatial_in)
    for index, (kernel, stride, padding) in enumerate(plan):
        c_in = spec.in_channels if index == 0 else spec.out_channels
        size = [(n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel, stride, padding)]
        weights = conv_params(c_in, spec.out_channels, kernel, False)
        params += weights + (spec.out_channels if spec.bias else 0)
        macs += prod(size) * weights
    return len(plan), params, macs


@rule("CNA304", "large-kernel", "suggestion")
def check(ctx):
    for node, spec in candidate_convs(ctx):
        if max(spec.kernel) < 5 or any(d != 1 for d in spec.dilation):
            continue
        before = conv_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        cost = stacked_cost(spec, node.inputs[0].shape[2:])
        if cost is None:
            continue
        layers, after, macs_after = cost
        if after >= before:
            continue
        macs_before = prod(node.outputs[0].shape[2:]) * (
            before - (spec.out_channels if spec.bias else 0))
        kernel = "×".join(map(str, spec.kernel))
        yield Hit(
            node,
            f"{node.name} ({kernel}) as {layers} stacked 3×3 convolutions with the same "
            f"receptive field: {before:,} → {after:,} parameters, {macs_before:,} → "
            f"{macs_after:,} MACs",
            savings=Savings(before, after, macs_before, macs_after),
            fix=f"{layers} × nn.Conv2d(..., kernel_size=3) with activations between",
            rewrite={"layer": node.name, "layers": layers},
        )
