"""An activation between a conv/linear and its BatchNorm.

## What it does
Finds `Conv → activation → BatchNorm` (or `Linear → activation → BatchNorm`):
the BatchNorm normalizes the activation's output instead of the layer's.
Pre-activation designs (`BN → ReLU → Conv`, as in DenseNet) are a different
pattern and are fine.

## Why is this bad?
BatchNorm is meant to standardize the pre-activations so that the
nonlinearity sees zero-mean, unit-variance inputs. After a ReLU it normalizes a
half-rectified distribution, and the conv's bias and the BN's shift fight each
other. The cheatsheet's order is Conv → BatchNorm → ReLU.

## Example
```python
x = self.bn1(F.relu(self.conv1(x)))
```

## Use instead
```python
x = F.relu(self.bn1(self.conv1(x)))
```

## Fix
When the activation and the BatchNorm are modules next to each other in one
`nn.Sequential(...)`, `lint --fix --unsafe-fixes` swaps them. **Unsafe**: the
BatchNorm's running statistics and affine weights were learned on activated
inputs, so a trained model must be trained again. A functional activation in
forward is left to you (the message says the order).
"""

from ..findings import Hit, SourceEdit
from ..patterns import (
    is_activation,
    is_batchnorm,
    is_conv,
    is_dropout,
    is_linear,
    is_view,
    producer_of,
)
from . import rule


def _through_dropout(graph, node):
    """The producer of ``node``'s input, looking through dropout and
    identity-like ops (views, nn.Identity): ReLU → Dropout → BatchNorm is
    still a BatchNorm after the activation."""
    producer = producer_of(graph, node)
    for _ in range(4):
        if producer is None or not (is_dropout(producer) or is_view(producer)):
            return producer
        producer = producer_of(graph, producer)
    return producer


@rule("CNA201", "bn-order", "warning")
def check(ctx):
    graph = ctx.graph
    for node in graph.ops():
        if not is_batchnorm(node):
            continue
        activation = _through_dropout(graph, node)
        if activation is None or not is_activation(activation):
            continue
        layer = producer_of(graph, activation)
        if layer is None or not (is_conv(layer) or is_linear(layer)):
            continue
        yield Hit(
            activation,
            f"{activation.name} ({activation.op}) sits between {layer.name} and {node.name}: "
            f"normalize the {layer.op}'s output, then activate ({layer.op} → {node.op} → "
            f"{activation.op.rsplit('.', 1)[-1]})",
            fix=f"{activation.op.rsplit('.', 1)[-1]}({node.name}({layer.name}(x)))",
            edit=_swap_edit(graph, activation, node),
        )


def _swap_edit(graph, activation, norm) -> SourceEdit | None:
    """Both modules, the BatchNorm right after the activation: swap where
    they sit (in one ``nn.Sequential(...)``, checked when the edit is made)."""
    if activation.kind != "module" or norm.kind != "module" or \
            producer_of(graph, norm) is not activation or norm.defined_at is None \
            or norm.defined_at.col is None:
        return None
    return SourceEdit("swap_arguments", "unsafe",
                      other={"line": norm.defined_at.line, "col": norm.defined_at.col,
                             "callee": norm.op},
                      reason="the BatchNorm's statistics and weights were learned on "
                             "activated inputs: a trained model must be trained again",
                      expect={"params": 0, "macs": 0})
