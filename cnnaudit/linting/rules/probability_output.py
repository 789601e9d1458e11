"""The model returns softmax probabilities where a loss expects logits.

## What it does
Finds a model whose output is produced by `softmax` (through reshapes at
most). `log_softmax` (for `nn.NLLLoss`) is fine.

## Why is this bad?
`nn.CrossEntropyLoss` applies `log_softmax` itself. Fed probabilities, it
computes the softmax of a softmax: the loss barely moves, gradients vanish as
the model grows confident, and training stalls. Taking the `log` of
probabilities yourself underflows to `-inf` where `log_softmax` would not.

## Example
```python
return F.softmax(self.fc(x), dim=1)
```

## Use instead
```python
return self.fc(x)  # logits, for nn.CrossEntropyLoss; softmax only at inference
```

## Fix
`lint --fix --unsafe-fixes` returns the softmax's input instead. **Unsafe**:
the model's output changes meaning (logits, not probabilities) — right for
`nn.CrossEntropyLoss`, but code that reads probabilities from the model must
apply the softmax itself.
"""

from ..findings import Hit, SourceEdit
from ..patterns import is_softmax, is_view
from . import rule


@rule("CNA206", "probability-output", "warning")
def check(ctx):
    graph = ctx.graph
    if graph.failure is not None or not graph.outputs:
        return
    node = graph.producer(graph.outputs[0])
    hops = 0
    while node is not None and is_view(node) and hops < 4:
        node = graph.producer(node.inputs[0]) if node.inputs else None
        hops += 1
    if node is not None and is_softmax(node):
        yield Hit(
            node,
            f"the model returns {node.op} probabilities: nn.CrossEntropyLoss expects logits and "
            "applies log_softmax itself; return the logits (or log_softmax for NLLLoss)",
            fix="return logits",
            edit=SourceEdit("unwrap_call", "unsafe",
                            reason="the model's output becomes logits: right for "
                                   "nn.CrossEntropyLoss, but code that reads probabilities "
                                   "must apply softmax itself",
                            expect={"params": 0}) if node.kind == "function" else None,
        )
