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

Pooling alone keeps only what each unit of the map saw. When those units
see less than half of a side of the input (the cheatsheet net's 6×6 of
28×28), the flattened head was reading the layout, and pooling it away loses
accuracy (its probe: 96.8 % → 55.0 %); the message says so, with the figure,
and names `cnnaudit shrink`, which composes the pooling with the earlier
downsampling and 3×3 depth that let the final map see the input, and proves
the result by training it.

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

from math import ceil, prod

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
        narrow = _narrow_field(ctx, node)
        yield Hit(
            node,
            f"{node.name} holds {before:,} of {total:,} parameters ({before / total:.0%}) reading "
            f"a flattened {dims} map; global average pooling to {channels}×1×1 and "
            f"nn.Linear({channels}, {module.out_features}) holds {after:,} "
            f"(−{before - after:,} parameters, −{macs_before - macs_after:,} MACs per sample)"
            + (f"; but the map's units see {narrow}, so pooling alone loses the "
               f"layout {node.name} reads: `cnnaudit shrink` composes pooling with earlier "
               "downsampling and more 3×3 depth, and trains it to prove the accuracy kept"
               if narrow else ""),
            savings=Savings(before, after, macs_before, macs_after),
            fix=f"nn.AdaptiveAvgPool2d(1), then nn.Linear({channels}, {module.out_features})"
            + (" with earlier downsampling and more 3×3 depth (cnnaudit shrink)"
               if narrow else ""),
            rewrite={"layer": node.name, "channels": channels},
        )


def _narrow_field(ctx, node) -> str | None:
    """``6×6 of the 28×28 input (21% of a side)`` when the map ``node`` flattens sees
    less than ``rf-min-share`` of a side of the input (CNA210's criterion)."""
    final = ctx.final_map
    fields = ctx.fields
    if final is None or final.head is None or final.head.id > node.id or \
            not fields.input_size:
        return None
    size = final.field.size
    if len(size) != len(fields.input_size):
        return None
    share = min(float(s) / n for s, n in zip(size, fields.input_size))
    if share >= ctx.options.rf_min_share:
        return None
    sides = "×".join(str(ceil(v)) for v in size)
    given = "×".join(map(str, fields.input_size))
    return f"{sides} of the {given} input ({share:.0%} of a side)"
