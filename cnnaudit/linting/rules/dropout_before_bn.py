"""Dropout feeding BatchNorm (variance shift).

## What it does
Finds a dropout whose output reaches a BatchNorm with nothing but
activations, pooling or reshapes in between.

## Why is this bad?
In training, dropout scales the surviving activations by 1/(1−p), which
changes their variance; in evaluation it is off. The BatchNorm's running
variance, learned on the dropped-out signal, then no longer matches what it
sees at test time ("variance shift", Li et al., 2019), and accuracy drops.

## Example
```python
x = self.dropout(F.relu(self.conv1(x)))
x = self.bn2(self.conv2(x))  # fine: the conv mixes
x = self.bn3(self.dropout(x))  # dropout straight into BatchNorm
```

## Use instead
Put dropout after the last BatchNorm (before the classifier), or drop it where
BatchNorm already regularizes.
"""

from ..findings import Hit
from ..patterns import (
    POOL_FUNCTIONS,
    POOL_MODULES,
    is_activation,
    is_batchnorm,
    is_dropout,
    is_view,
    op_name,
    producer_of,
)
from . import rule


def _transparent(node) -> bool:
    if node.kind == "module":
        return node.op in POOL_MODULES or is_activation(node) or is_view(node)
    return is_activation(node) or is_view(node) or op_name(node) in POOL_FUNCTIONS


@rule("CNA203", "dropout-before-bn", "warning")
def check(ctx):
    graph = ctx.graph
    for node in graph.ops():
        if not is_batchnorm(node):
            continue
        current = producer_of(graph, node)
        hops = 0
        while current is not None and hops < 8 and not is_dropout(current) \
                and _transparent(current):
            current = producer_of(graph, current)
            hops += 1
        if current is not None and is_dropout(current):
            yield Hit(
                current,
                f"{current.name} ({current.op}) feeds {node.name}: BatchNorm's running variance "
                "is learned on dropped-out activations and will not match evaluation; move the "
                "dropout after the last BatchNorm",
            )
