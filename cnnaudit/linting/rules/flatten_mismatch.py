"""Linear `in_features` differs from the features it receives.

## What it does
Finds an `nn.Linear` whose `in_features` is not the size of the features it
receives, usually after a flatten whose `C × H × W` was worked out by hand for
another input size or another stack of layers, and a hard-coded
`view(-1, N)` whose `N` is not the map's `C × H × W`. It says the right number
and the `C×H×W` of the map it comes from.

## Why is this bad?
The first forward pass crashes with `mat1 and mat2 shapes cannot be multiplied`
(or the view's `shape is invalid for input of size`), which names neither the
layer nor the number it should have.

## Example
```python
self.conv2 = nn.Conv2d(10, 20, kernel_size=5)  # was 3: the map is now 20×11×11
self.fc1 = nn.Linear(20 * 12 * 12, 10)
```

## Use instead
```python
self.fc1 = nn.Linear(20 * 11 * 11, 10)  # or nn.LazyLinear(10), or global average pooling
```

## Fix
A Linear fed an unflattened map: `lint --fix` wraps the call's argument,
`self.fc1(x)` → `self.fc1(torch.flatten(x, 1))` (adding `import torch` if
needed). **Safe**: the Linear then reads one vector per sample, which the
map's size already matches.

A Linear built for the wrong number of features: `lint --fix --unsafe-fixes`
sets `in_features` to the number received. **Unsafe**: the weight changes
shape, so a trained checkpoint no longer loads, and when the flatten
upstream is what is wrong (a view of the wrong map), this hides it.
"""

from ...trace.diagnose import (
    linear_mismatch,
    unflattened_map,
    unflattened_message,
    view_size_mismatch,
)
from ..findings import Hit, SourceEdit
from ..head_fixes import head_fix
from ..patterns import is_linear
from . import rule


@rule("CNA101", "flatten-mismatch", "error")
def check(ctx):
    graph = ctx.graph
    for node in graph.ops():
        if node.kind == "module" and is_linear(node):
            unflattened = unflattened_map(node)
            if unflattened:  # a flatten is missing: another in_features would not help
                message, fix = unflattened_message(node, *unflattened)
                yield Hit(node, message, fix=fix, edit=SourceEdit(
                    "flatten_argument", "safe", at_call=True,
                    reason="the Linear then reads one vector per sample, which the map's "
                           "size matches",
                    expect={"params": 0}))
                continue
            mismatch = linear_mismatch(graph, node)
            if mismatch:
                expected, received, origin = mismatch
                origin = f" ({origin})" if origin else ""
                yield Hit(
                    node,
                    f"{node.name} expects {expected:,} input features but receives "
                    f"{received:,}{origin}",
                    fix=f"nn.Linear({received}, {node.module.out_features})",
                    edit=SourceEdit("set_argument", "unsafe", keyword="in_features",
                                    value=str(received), position=0,
                                    reason="the layer's weight changes shape: a trained "
                                           "checkpoint no longer loads, and a wrong flatten "
                                           "upstream is hidden rather than fixed",
                                    expect={"params": (received - expected)
                                            * node.module.out_features}),
                )
        elif node.error:
            mismatch = view_size_mismatch(graph, node)
            if mismatch:
                hard_coded, features, dims = mismatch
                yield Hit(
                    node,
                    f"{node.op.rsplit('.', 1)[-1]} to {hard_coded:,} features fails: the map "
                    f"{list(node.inputs[0].shape)} has {dims} = {features:,} features per sample",
                    fix=head_fix(graph, node, node.inputs[0].shape, hard_coded),
                    edit=SourceEdit("flatten_view", "safe",
                                    reason="the view then fits any map; verified: refused "
                                           "when the next layer was built for another number "
                                           "of features",
                                    expect={"params": 0}) if node.kind == "function" else None,
                )
