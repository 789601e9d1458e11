"""A wide k×k convolution that could be a 1×1 → k×k → 1×1 bottleneck.

## What it does
Finds full convolutions at least 64 channels wide on both sides
(configurable), not already the middle of a bottleneck, and proposes
reducing the channels fourfold with a 1×1 convolution, applying the k×k
convolution on the reduced channels, and expanding back with a 1×1 — ResNet's
bottleneck — with the parameters and MACs before and after. Proposed only
when the layer shrinks by at least half.

## Why is this bad?
A k×k convolution's cost grows with `C_in × C_out`. On wide layers most of
that is spent mixing channels, which 1×1 convolutions do at a ninth of the
price: 256 → 256 at 3×3 is 589,824 weights, the bottleneck through 64
channels 69,632 (−88 %).

## Example
```python
nn.Conv2d(256, 256, kernel_size=3, padding=1)
```

## Use instead
```python
nn.Conv2d(256, 64, kernel_size=1)              # reduce
nn.Conv2d(64, 64, kernel_size=3, padding=1)    # the k×k work, on 64 channels
nn.Conv2d(64, 256, kernel_size=1)              # expand
```
"""

from math import prod

from ..findings import Hit, Savings
from ..patterns import (
    conv_spec,
    input_positions,
    is_activation,
    is_batchnorm,
    is_conv,
    is_dropout,
    output_positions,
    producer_of,
)
from . import rule
from ._conv_suggestions import candidate_convs, conv_params, worth_it

REDUCTION = 4


def bottleneck_params(c_in, c_out, kernel, bias) -> int:
    width = max(1, min(c_in, c_out) // REDUCTION)
    return (conv_params(c_in, width, (1,), bias) + conv_params(width, width, kernel, bias)
            + conv_params(width, c_out, (1,), bias))


def _inside_bottleneck(graph, node) -> bool:
    """Is ``node`` already the k×k of a bottleneck: fed, through norms and
    activations, by a 1×1 convolution that reduces the channels?"""
    current = producer_of(graph, node)
    for _ in range(4):
        if current is None:
            return False
        if is_conv(current):
            spec = conv_spec(current)
            return spec is not None and not spec.spatial and spec.out_channels < spec.in_channels
        if not (is_batchnorm(current) or is_activation(current) or is_dropout(current)):
            return False
        current = producer_of(graph, current)
    return False


@rule("CNA303", "bottleneck", "suggestion")
def check(ctx):
    minimum = ctx.options.bottleneck_min_channels
    for node, spec in candidate_convs(ctx):
        if spec.in_channels < minimum or spec.out_channels < minimum:
            continue
        if _inside_bottleneck(ctx.graph, node):
            continue
        before = conv_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        after = bottleneck_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        if not worth_it(before, after, ctx.options.min_savings_share):
            continue
        width = max(1, min(spec.in_channels, spec.out_channels) // REDUCTION)
        positions_in, positions_out = input_positions(node), output_positions(node)
        k = prod(spec.kernel)
        macs_before = positions_out * spec.out_channels * spec.in_channels * k
        # reduce at the input resolution; the k×k (with its stride) and the
        # expansion at the output's
        macs_after = (positions_in * spec.in_channels * width + positions_out * width * width * k
                      + positions_out * width * spec.out_channels)
        kernel = "×".join(map(str, spec.kernel))
        yield Hit(
            node,
            f"{node.name} ({spec.in_channels}→{spec.out_channels}, {kernel}) as a bottleneck "
            f"1×1 → {width} channels, {kernel}, 1×1 → {spec.out_channels}: {before:,} → "
            f"{after:,} parameters (−{(before - after) / before:.0%}), {macs_before:,} → "
            f"{macs_after:,} MACs",
            savings=Savings(before, after, macs_before, macs_after),
            fix=(f"nn.Conv2d({spec.in_channels}, {width}, 1), nn.Conv2d({width}, {width}, "
                 f"{spec.kernel[0]}, ...), nn.Conv2d({width}, {spec.out_channels}, 1)"),
            rewrite={"layer": node.name, "width": width},
        )
