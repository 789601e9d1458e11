"""Training memory above the configured budget (`--max-memory`, `max-memory`).

## What it does
Estimates training memory — parameters, gradients, optimizer state and the
activations saved for backward, measured as `cnnaudit summary --batch-size`
does — at the configured batch size and optimizer, and compares it with the budget.

## Why is this bad?
Out-of-memory errors show up minutes into a training run on the target GPU;
the estimate shows them before.

## Example
```toml
[tool.cnnaudit]
max-memory = "8GiB"
memory-batch-size = 128
```

## Use instead
Reduce the batch, the activations (downsample earlier, fewer channels at high
resolution) or use mixed precision; `cnnaudit summary --memory-budget` gives
the largest batch that fits.
"""

from ..findings import Hit
from . import rule
from ._budgets import over


@rule("CNA403", "max-memory", "error")
def check(ctx):
    budget = ctx.options.max_memory
    if budget is None or ctx.graph.failure is not None:
        return
    from ...stats.memory import estimate

    train = ctx.train_graph
    if train.failure is not None:
        return
    memory = estimate(train, ctx.model, batch_size=ctx.options.memory_batch_size,
                      optimizer=ctx.options.optimizer, precision="float32")
    if memory.total_bytes > budget:
        what = (f"training memory at batch {memory.batch_size} with {memory.optimizer}")
        yield Hit(None, over(memory.total_bytes, budget, what, "bytes"), site=ctx.model_site(),
                  layer="")
