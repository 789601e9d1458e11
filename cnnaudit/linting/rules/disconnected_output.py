"""`forward` returns nothing, or nothing computed from the input.

## What it does
Follows the traced dataflow back from what `forward` returns. When it returns
no tensor at all (`None`: a `forward` whose last line computes the output but
does not `return` it), or only tensors that no path connects to the input
(a parameter, a constant such as `torch.zeros(...)`), the model is broken
whatever its layers are: the finding sits on `forward`'s line.

## Why is this bad?
Every other check sees a model that runs, so nothing else complains: summary
counts the layers, lint finds nothing, and the failure shows up only in the
training script (`'NoneType' object has no attribute ...`), or, worse, as a
loss that never moves because the prediction cannot depend on the image.

## Example
```python
def forward(self, x):
    x = self.features(x)
    self.classifier(x.flatten(1))  # computed, never returned
```

## Use instead
```python
def forward(self, x):
    x = self.features(x)
    return self.classifier(x.flatten(1))
```
"""

from ...load.sites import definition_site
from ..findings import Hit
from . import rule


def reaches_input(graph, tensors) -> bool:
    """Whether any of ``tensors`` is the input or was computed from it."""
    stack, seen = list(tensors), set()
    while stack:
        tensor = stack.pop()
        if tensor.origin == "input":
            return True
        if tensor.producer is not None and tensor.producer not in seen:
            seen.add(tensor.producer)
            stack.extend(graph.nodes[tensor.producer].inputs)
    return False


@rule("CNA105", "disconnected-output", "error")
def check(ctx):
    graph = ctx.graph
    if graph.failure is not None:
        return  # a crash has its own finding; the output was never made
    if not graph.outputs:
        message = (f"forward returns no tensor ({type(ctx.model).__name__}.forward ends without "
                   "returning its result?): nothing can be trained on its output")
    elif not reaches_input(graph, graph.outputs):
        shapes = ", ".join(str(list(t.shape)) for t in graph.outputs[:3])
        message = (f"forward returns {shapes}, computed without the input: the prediction "
                   "cannot depend on the image (return the layers' result, not a "
                   "parameter or a constant)")
    else:
        return
    site = definition_site(type(ctx.model).forward) or ctx.model_site()
    yield Hit(None, message, site=site, layer="")
