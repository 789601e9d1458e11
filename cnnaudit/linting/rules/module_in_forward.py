"""A module built inside `forward`.

## What it does
Finds layers constructed during the forward pass — `x = nn.Dropout(0.5)(x)`,
`nn.Linear(a, b)(x)`, `nn.BatchNorm2d(c)(x)` — instead of in `__init__`, at the
line of `forward` that builds them.

## Why is this bad?
Such a module is not an attribute of the model, so PyTorch never sees it:
its weights are new random numbers at every call, never handed to the
optimizer (never trained) and never in `state_dict()` (never saved);
`model.eval()` cannot reach it, so a Dropout stays on and a BatchNorm keeps
normalizing with batch statistics in evaluation; `model.to("cuda")` leaves it
on the CPU. Reported on real projects as "my model does not learn" and "eval
accuracy is random".

## Example
```python
def forward(self, x):
    x = nn.Dropout(0.5)(x)
    return nn.Linear(x.shape[1], 10)(x)
```

## Use instead
```python
def __init__(self):
    super().__init__()
    self.dropout = nn.Dropout(0.5)
    self.fc = nn.Linear(320, 10)  # or nn.LazyLinear(10)

def forward(self, x):
    return self.fc(self.dropout(x))
```

## Fix
`lint --fix --unsafe-fixes` moves a layer built and called in one expression
(`nn.Linear(4, 2)(x)`) into `__init__` as `self.linear = nn.Linear(4, 2)`
and calls `self.linear(x)` in forward. **Unsafe**: its weights join the
model (trained, saved, moved) and `model.eval()` reaches it — what the
finding asks for, but the parameter count, `state_dict` and outputs change.
Arguments that use forward's local values cannot move: the fix is refused.
"""

from ..findings import Hit, SourceEdit
from . import rule

# What each kind of layer loses by not being registered.
_LOSSES = {
    "dropout": "model.eval() cannot switch it off: it drops activations in evaluation too",
    "norm": "model.eval() cannot reach it, so it normalizes with batch statistics in "
            "evaluation, and its running statistics and weights are never saved",
}


def _what_is_lost(node) -> str:
    name = node.op.lower()
    params = sum(p.numel() for p in node.module.parameters())
    if "dropout" in name:
        return _LOSSES["dropout"]
    if "norm" in name:
        return _LOSSES["norm"]
    if params:
        return (f"its {params:,} weights are new random numbers at every call, never "
                "trained (the optimizer never sees them) and never saved")
    return "model.eval(), model.to() and state_dict() cannot reach it"


@rule("CNA209", "module-in-forward", "warning")
def check(ctx):
    root = ctx.graph.root
    if root is None or root.module is None:
        return
    registered = {id(m) for m in root.module.modules()}
    seen = set()
    for node in ctx.graph.nodes:
        if node.kind != "module" or node.module is None or id(node.module) in registered:
            continue
        site = node.call_site
        key = (site.file, site.line, node.op) if site else (node.name,)
        if key in seen:
            continue
        seen.add(key)
        attribute = node.op.lower()
        built = f"nn.{node.op}({node.module.extra_repr()})"
        yield Hit(
            node,
            f"nn.{node.op} is built inside forward, so it is not part of the model: "
            f"{_what_is_lost(node)}",
            site=site,
            fix=f"self.{attribute} = {built} in __init__, and self.{attribute}(x) in forward",
            edit=SourceEdit("move_to_init", "unsafe", attribute=attribute,
                            reason="the layer joins the model: its weights are trained, saved "
                                   "and moved with it, and model.eval() reaches it — what the "
                                   "finding asks, but the parameters, state_dict and outputs "
                                   "change",
                            expect={"params": sum(p.numel() for p in node.module.parameters())}),
        )
