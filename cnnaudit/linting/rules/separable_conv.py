"""A full k×k convolution that could be depthwise-separable.

## What it does
Finds full convolutions (`groups=1`, kernel larger than 1×1, past the stem)
and proposes a depthwise k×k convolution (`groups=in_channels`) followed by a
pointwise 1×1 convolution, with the parameters and MACs before and after.
Proposed only when the layer shrinks by at least half (configurable).

## Why is this bad?
A full convolution mixes space and channels at once: `C_in × C_out × k²`
weights. Factoring it into a per-channel spatial filter and a 1×1 channel mix
(MobileNet, Xception) costs `C_in × k² + C_in × C_out` — for 32 → 64
channels at 3×3, 2,336 instead of 18,432 parameters (−87 %).

## Example
```python
nn.Conv2d(32, 64, kernel_size=3)
```

## Use instead
```python
nn.Conv2d(32, 32, kernel_size=3, groups=32)  # depthwise
nn.Conv2d(32, 64, kernel_size=1)             # pointwise
```
"""

from math import prod

from ..findings import Hit, Savings
from ..patterns import output_positions
from . import rule
from ._conv_suggestions import candidate_convs, conv_params, worth_it


def separable_params(c_in, c_out, kernel, bias) -> int:
    return conv_params(c_in, c_in, kernel, bias, groups=c_in) + conv_params(c_in, c_out, (1,),
                                                                            bias)


@rule("CNA302", "separable-conv", "suggestion")
def check(ctx):
    for node, spec in candidate_convs(ctx):
        before = conv_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        after = separable_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        if not worth_it(before, after, ctx.options.min_savings_share):
            continue
        positions = output_positions(node)
        k = prod(spec.kernel)
        macs_before = positions * spec.out_channels * spec.in_channels * k
        macs_after = positions * spec.in_channels * k + positions * spec.in_channels * \
            spec.out_channels
        kernel = "×".join(map(str, spec.kernel))
        yield Hit(
            node,
            f"{node.name} ({spec.in_channels}→{spec.out_channels}, {kernel}) as depthwise "
            f"{kernel} + pointwise 1×1: {before:,} → {after:,} parameters "
            f"(−{(before - after) / before:.0%}), {macs_before:,} → {macs_after:,} MACs",
            savings=Savings(before, after, macs_before, macs_after),
            fix=(f"nn.Conv2d({spec.in_channels}, {spec.in_channels}, {spec.kernel[0]}, "
                 f"groups={spec.in_channels}), nn.Conv2d({spec.in_channels}, "
                 f"{spec.out_channels}, 1)"),
            rewrite={"layer": node.name},
        )
