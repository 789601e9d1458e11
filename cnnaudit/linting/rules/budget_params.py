"""More parameters than the configured budget (`--max-params`, `max-params`).

## What it does
Compares the model's parameter count (shared parameters once) with the
budget you set; without a budget it is silent.

## Why is this bad?
A budget is a promise — "under 20k parameters", "fits the microcontroller's
flash" — that a refactor can break without anyone noticing until deployment.

## Example
```toml
[tool.cnnaudit]
max-params = 20000
```

## Use instead
Shrink the model (the suggestions CNA301–CNA305 say where) or raise the budget knowingly.
"""

from ..findings import Hit
from . import rule
from ._budgets import over


@rule("CNA401", "max-params", "error")
def check(ctx):
    budget = ctx.options.max_params
    if budget is not None and ctx.total_params > budget:
        yield Hit(None, over(ctx.total_params, budget, "the model's parameter count"),
                  site=ctx.model_site(), layer="")
