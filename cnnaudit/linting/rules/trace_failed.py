"""Forward cannot run, for a reason no other rule explains.

## What it does
Reports a crash inside `forward` that is not one of the faults with a rule of
their own (flatten mismatch CNA101, channel mismatch CNA103, spatial collapse
CNA104): the failing layer or op, its input shapes, and the exception's message,
at the line of your code where it happened.

## Why is this bad?
A model that cannot run a forward pass cannot be trained; every other check
only sees the graph up to the failure.

## Example
```python
def forward(self, x):
    x = self.features(x)
    return self.head(x, self.mask)  # head() takes one argument
```

## Use instead
Fix the call the message names; run `cnnaudit summary` to see the shapes of
everything before it.
"""

from ...trace.diagnose import describe_failure, failure_explained_by_rules
from ..findings import Hit
from . import rule


@rule("CNA001", "trace-failed", "error")
def check(ctx):
    graph = ctx.graph
    if graph.failure is None or failure_explained_by_rules(graph):
        return
    node = graph.nodes[graph.failure.node] if graph.failure.node is not None else None
    site = graph.failure.site or (node.site if node is not None else None)
    yield Hit(node, f"forward failed: {describe_failure(graph)}", site=site)
