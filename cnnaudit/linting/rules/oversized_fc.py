"""A Linear on a flattened C×H×W map that holds most of the parameters: use global average pooling.

## What it does
Finds an `nn.Linear` fed by a flattened feature map with spatial extent
(`H × W > 1`) that holds at least half of the model's parameters
(configurable), and proposes global average pooling to `C×1×1` followed by a
`Linear(C, out)`, with the parameters and MACs before and after.

## Why is this bad?
The layer's weights grow with `H × W`: most of the model's size, memory and
overfitting capacity sit in one classifier that memorizes positions. Global
average pooling (Lin et al., "Network in Network"; every ResNet since) keeps
`C` features, makes the head independent of the input size, and typically
costs no accuracy.

## Example
```python
self.fc1 = nn.Linear(20 * 12 * 12, 10)  # 28,810 parameters
x = self.fc1(x.flatten(1))
```

## Use instead
```python
self.gap = nn.AdaptiveAvgPool2d(1)
self.fc1 = nn.Linear(20, 10)  # 210 parameters
x = self.fc1(self.gap(x).flatten(1))
```
"""

from math import prod

from ..findings import Hit, Savings
from ..patterns import is_linear, is_view, producer_of
from . import rule


def flattened_map(graph, node):
    """The [B, C, H, W...] map a Linear reads through a flatten, if it does."""
    current = producer_of(graph, node)
    hops = 0
    while current is not None and hops < 4:
        if is_view(current) and current.inputs and len(current.inputs[0].shape) >= 3:
            return current.inputs[0].shape
        if not is_view(current):
            return None
        current = producer_of(graph, current)
        hops += 1
    return None


@rule("CNA301", "oversized-fc", "suggestion")
def check(ctx):
    graph = ctx.graph
    total = ctx.total_params
    for node in graph.ops():
        if node.kind != "module" or not is_linear(node) or node.error:
            continue
        shape = flattened_map(graph, node)
        if shape is None or prod(shape[2:]) <= 1:
            continue
        module = node.module
        bias = module.bias is not None
        before = module.in_features * module.out_features + (module.out_features if bias else 0)
        if not total or before / total < ctx.options.oversized_fc_share:
            continue
        channels = shape[1]
        if channels * prod(shape[2:]) != module.in_features:
            continue  # a mismatch: CNA101's business
        after = channels * module.out_features + (module.out_features if bias else 0)
        macs_before = module.in_features * module.out_features
        macs_after = channels * module.out_features
        dims = "×".join(map(str, shape[1:]))
        yield Hit(
            node,
            f"{node.name} holds {before:,} of {total:,} parameters ({before / total:.0%}) reading "
            f"a flattened {dims} map; global average pooling to {channels}×1×1 and "
            f"nn.Linear({channels}, {module.out_features}) holds {after:,} "
            f"(−{before - after:,} parameters, −{macs_before - macs_after:,} MACs per sample)",
            savings=Savings(before, after, macs_before, macs_after),
            fix=f"nn.AdaptiveAvgPool2d(1), then nn.Linear({channels}, {module.out_features})",
            rewrite={"layer": node.name, "channels": channels},
        )
