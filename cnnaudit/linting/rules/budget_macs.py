"""More MACs per sample than the configured budget (`--max-macs`, `max-macs`).

## What it does
Compares the model's multiply-accumulates per sample (conv, linear and matmul,
as `cnnaudit summary` counts them) with the budget you set.

## Why is this bad?
Compute per sample sets latency and energy on the target device; a budget
keeps a change from quietly doubling it.

## Example
```toml
[tool.cnnaudit]
max-macs = 5_000_000
```

## Use instead
Downsample earlier, use the separable or bottleneck suggestions, or raise the budget knowingly.
"""

from ..findings import Hit
from . import rule
from ._budgets import over


@rule("CNA402", "max-macs", "error")
def check(ctx):
    budget = ctx.options.max_macs
    if budget is None or ctx.graph.failure is not None:
        return
    macs = sum(n.macs for n in ctx.graph.nodes) // ctx.graph.batch_size
    if macs > budget:
        yield Hit(None, over(macs, budget, "MACs per sample"), site=ctx.model_site(), layer="")
