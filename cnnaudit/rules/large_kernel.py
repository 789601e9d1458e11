"""A k ≥ 5 kernel past the stem that stacked 3×3 convolutions could replace.

## What it does
Finds full convolutions past the stem with a kernel of 5 or more and proposes
`(k − 1) / 2` stacked 3×3 convolutions, which have the same receptive field,
with the parameters and MACs before and after (only when they are fewer).
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

from ..findings import Hit, Savings
from ..patterns import output_positions
from . import rule
from ._conv_suggestions import candidate_convs, conv_params


def stacked_params(c_in, c_out, kernel, bias) -> tuple[int, int]:
    """(number of 3×3 layers, their parameters) with the same receptive field."""
    layers = max((k - 1) // 2 for k in kernel)
    three = tuple(3 if k > 1 else 1 for k in kernel)
    return layers, conv_params(c_in, c_out, three, bias) + (layers - 1) * conv_params(
        c_out, c_out, three, bias)


@rule("CNA304", "large-kernel", "suggestion")
def check(ctx):
    for node, spec in candidate_convs(ctx):
        if max(spec.kernel) < 5 or any(d != 1 for d in spec.dilation):
            continue
        before = conv_params(spec.in_channels, spec.out_channels, spec.kernel, spec.bias)
        layers, after = stacked_params(spec.in_channels, spec.out_channels, spec.kernel,
                                       spec.bias)
        if after >= before:
            continue
        positions = output_positions(node)
        macs_before = positions * (before - (spec.out_channels if spec.bias else 0))
        macs_after = positions * (after - (layers * spec.out_channels if spec.bias else 0))
        kernel = "×".join(map(str, spec.kernel))
        yield Hit(
            node,
            f"{node.name} ({kernel}) as {layers} stacked 3×3 convolutions with the same "
            f"receptive field: {before:,} → {after:,} parameters, {macs_before:,} → "
            f"{macs_after:,} MACs",
            savings=Savings(before, after, macs_before, macs_after),
            fix=f"{layers} × nn.Conv2d(..., kernel_size=3, padding=1) with activations between",
            rewrite={"layer": node.name, "layers": layers},
        )
