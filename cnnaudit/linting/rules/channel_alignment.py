"""Channel counts that are not a multiple of 8, past the stem.

## What it does
Finds convolutions and Linears whose output channels are not a multiple of
8 (the image's channels going into the stem, and the classes coming out of
the final layer, are what they are and are not reported). Layers on a 1×1
map and small Linears that do under 1 % of the model's MACs — the
squeeze-and-excitation bottlenecks of EfficientNet, MobileNetV3, RegNet — are
not reported either: padding them cannot buy a measurable speed-up. The
message says each reported layer's share of the MACs.

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
from ..patterns import conv_spec, is_conv, is_linear, output_positions, per_sample_macs
from . import rule

ALIGNMENT = 8
# Below this share of the model's MACs, padding a layer's channels cannot buy
# a measurable speed-up: squeeze-and-excitation bottlenecks (4–30 channels on
# a 1×1 map) were 85 of 201 of this rule's suggestions on timm's zoo.
MIN_MAC_SHARE = 0.01


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
    total = sum(per_sample_macs(graph, n) for n in weighted) or 1
    for node in weighted:
        if node is classifier or node.call_index:
            continue
        share = per_sample_macs(graph, node) / total
        if share < MIN_MAC_SHARE and (is_linear(node) or output_positions(node) <= 1):
            continue  # an SE bottleneck or a small FC layer: alignment buys nothing here
        # Output channels only: a layer's input channels are its producer's outputs.
        channels = conv_spec(node).out_channels if is_conv(node) else node.module.out_features
        if channels % ALIGNMENT == 0:
            continue
        yield Hit(
            node,
            f"{node.name} has {channels} output channels: tensor cores want multiples of "
            f"{ALIGNMENT} (try {_round(channels)}); it does {share:.0%} of the model's MACs",
        )
