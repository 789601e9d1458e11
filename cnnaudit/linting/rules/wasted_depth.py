"""Layers still running at high resolution after every unit already sees the whole input.

## What it does
Follows the receptive field layer by layer (as `cnnaudit summary --rf`
shows it) to the first map where every unit's field covers the entire input,
corner units included. When at least `wasted-depth-min-layers` (default 3)
spatial convolutions follow at high resolution (an effective stride of 4 or
less: a quarter of the input's side or more) before the head, it reports them,
their MACs, and about what a stride-2 stage before them would save (three
quarters of their work: a quarter of the positions).

## Why is this bad?
Once every position of a map sees the whole input, keeping that many
positions buys no new context, only cost: the later layers repeat the same
global view at every position. Downsampling there (or earlier) gives the
same field for a quarter of the MACs per stride-2 stage — the reason
classifiers halve the resolution as their field grows.

## Example
```python
# 20 same-padded 3×3 convolutions on a 16×16 input, no downsampling
self.body = nn.Sequential(*[nn.Conv2d(16, 16, 3, padding=1) for _ in range(20)])
```

## Use instead
```python
self.body = nn.Sequential(*[nn.Conv2d(16, 16, 3, padding=1) for _ in range(8)],
                          nn.MaxPool2d(2),
                          *[nn.Conv2d(16, 16, 3, padding=1) for _ in range(6)])
```
"""

from ...stats.receptive import MAP
from ...trace.kinds import conv_spec, is_conv
from ..findings import Hit, Savings
from ..patterns import per_sample_macs
from . import rule

# At most this effective stride (a map at least a quarter of the input's side)
# is high resolution; networks saturate their theoretical field at stride 16
# or 32 by design (the effective field is much smaller: Luo et al., 2016).
HIGH_RESOLUTION_STRIDE = 4


def _sees_everything(field, sizes, map_sizes) -> bool:
    """Every unit, the corner ones too, covers the whole input."""
    return all(field.size[d] - field.padding[d] >= n and (m - 1) * field.jump[d]
               <= field.padding[d] for d, (n, m) in enumerate(zip(sizes, map_sizes)))


@rule("CNA306", "wasted-depth", "suggestion")
def check(ctx):
    graph, fields = ctx.graph, ctx.fields
    sizes = fields.input_size
    final = ctx.final_map
    if not sizes or final is None:
        return
    saturated, wasted = None, []
    for node in graph.ops():
        if node.id > final.node.id:
            break
        f = fields.by_node.get(node.id)
        if f is None or f.kind != MAP or not node.outputs:
            continue
        map_sizes = node.outputs[0].shape[2:]
        if saturated is None:
            if _sees_everything(f, sizes, map_sizes):
                saturated = node
            continue
        spec = conv_spec(node) if is_conv(node) else None
        if spec is not None and spec.spatial and all(j <= HIGH_RESOLUTION_STRIDE
                                                     for j in f.jump):
            wasted.append(node)
    if saturated is None or len(wasted) < ctx.options.wasted_depth_min_layers:
        return
    their_macs = sum(per_sample_macs(graph, node) for node in wasted)
    total = per_sample_macs(graph, graph.nodes[0])
    saved = their_macs * 3 // 4
    first = wasted[0]
    at = "×".join(map(str, first.outputs[0].shape[2:]))
    yield Hit(
        first,
        f"every unit of {saturated.name}'s map already sees the whole "
        f"{'×'.join(map(str, sizes))} input, yet {len(wasted)} more convolutions run at "
        f"{at} and below from {first.name} on ({their_macs:,} MACs per sample, "
        f"{their_macs / total:.0%} of the model): a stride-2 stage before them would save "
        f"about {saved:,}",
        savings=Savings(ctx.total_params, ctx.total_params, total, total - saved),
        fix=f"nn.MaxPool2d(2) (or stride=2) before {first.name}",
    )
