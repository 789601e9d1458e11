"""Channel counts that are not a multiple of 8, past the stem.

## What it does
Finds convolutions and Linears whose output channels are not a multiple of
8 (the image's channels going into the stem, and the classes coming out of
the final layer, are what they are and are not reported).

## Why is this bad?
Tensor cores multiply in tiles: with float16/bfloat16, cuDNN and cuBLAS need
channel counts that are multiples of 8 to use them, and pad or fall back to
slower kernels otherwise (NVIDIA's Deep Learning Performance Guide). A layer
of 20 channels runs at the speed of 24 without their benefit.

## Example
```python
nn.Conv2d(10, 20, kernel_size=3)
```

## Use instead
```python
nn.Conv2d(8, 16, kernel_size=3)  # or 16 → 24
```
"""

from ..findings import Hit
from ..patterns import conv_spec, is_conv, is_linear
from . import rule

ALIGNMENT = 8


def _round(n: int) -> str:
    low = n // ALIGNMENT * ALIGNMENT
    high = low + ALIGNMENT
    return f"{low} or {high}" if low else str(high)


@rule("CNA305", "channel-alignment", "suggestion")
def check(ctx):
    graph = ctx.graph
    weighted = [n for n in graph.ops() if n.kind == "module" and (is_conv(n) or is_linear(n))]
    if not weighted or graph.failure is not None:
        return
    classifier = weighted[-1]  # its outputs are the classes: they are what they are
    for node in weighted:
        if node is classifier or node.call_index:
            continue
        # Output channels only: a layer's input channels are its producer's outputs.
        channels = conv_spec(node).out_channels if is_conv(node) else node.module.out_features
        if channels % ALIGNMENT == 0:
            continue
        yield Hit(
            node,
            f"{node.name} has {channels} output channels: tensor cores want multiples of "
            f"{ALIGNMENT} (try {_round(channels)})",
        )
