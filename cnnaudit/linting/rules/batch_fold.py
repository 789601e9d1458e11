"""The output's batch size differs from the input's: samples are folded together.

## What it does
Traces with a batch of more than one sample; when the model returns another
number of rows than it was given samples, it points at the first reshape that
changed the batch dimension, typically `x.view(-1, N)` with an `N` that is not
the features of one sample. Reshapes that fold the batch and unfold it again
(attention heads, Swin's windows) are fine.

## Why is this bad?
With the right total size the view succeeds silently: a batch of 64 becomes a
batch of 128 (or 32) rows that mix pieces of different images. The loss either
crashes on the target's batch size or, worse, trains on scrambled samples.

## Example
```python
x = x.view(-1, 2880)  # the map is 20×24×24 = 11,520 per sample: 4 rows per image
```

## Use instead
```python
x = x.flatten(1)  # keeps the batch dimension whatever the map's size
```

## Fix
`lint --fix` rewrites `x.view(-1, N)` (or `reshape`) as `x.flatten(1)`: one
row per sample whatever the batch. **Safe**, and verified: when the next
layer was built for the wrong number of features (usually why the view
folded the batch), the edited model would fail with CNA101, so the fix is
refused and reported; use the message's head fix by hand.
"""

from math import prod

from ..findings import Hit, SourceEdit
from ..head_fixes import head_fix
from ..patterns import is_view
from . import rule


@rule("CNA102", "batch-fold", "error")
def check(ctx):
    graph = ctx.graph
    batch = graph.batch_size
    if graph.failure is not None or not graph.outputs or not graph.outputs[0].shape:
        return
    rows = graph.outputs[0].shape[0]
    if rows == batch:
        return  # intermediate folds (attention windows, heads) that are undone are fine
    # The culprit: the first reshape that changed the batch dimension.
    for node in graph.ops():
        if not is_view(node) or not node.inputs or not node.outputs:
            continue
        shape_in, shape_out = node.inputs[0].shape, node.outputs[0].shape
        if shape_in and shape_out and shape_in[0] == batch and shape_out[0] != batch:
            per_sample = prod(shape_in[1:])
            yield Hit(
                node,
                f"{node.op.rsplit('.', 1)[-1]} turns a batch of {batch} into {shape_out[0]} "
                f"rows: {list(shape_in)} has {per_sample:,} features per sample "
                f"({'×'.join(map(str, shape_in[1:]))}), not {prod(shape_out[1:]):,}; the model "
                f"returns {rows} rows for {batch} samples",
                fix=head_fix(graph, node, shape_in, prod(shape_out[1:])),
                edit=SourceEdit("flatten_view", "safe",
                                reason="one row per sample whatever the batch, as the finding "
                                       "requires; verified: refused when the next layer then "
                                       "receives features it was not built for",
                                expect={"params": 0}) if node.kind == "function" else None,
            )
            return
    yield Hit(None, f"the model returns {rows} rows for a batch of {batch} samples",
              site=ctx.model_site(), layer="")
