"""A submodule with parameters that forward never uses.

## What it does
Finds submodules whose parameters no operation reads, in evaluation mode or
in training mode (auxiliary heads used only in training, as GoogLeNet's, are
used). It reports the outermost such module once, with its parameter count.

## Why is this bad?
Dead parameters are saved in every checkpoint, held by the optimizer, counted
in the model's size, and make `DistributedDataParallel` fail ("Expected to
have finished reduction ... parameters that were not used") unless
`find_unused_parameters=True` slows every step.

## Example
```python
self.fc2 = nn.Linear(128, 10)  # left over: forward returns self.fc1(x)
```

## Use instead
Delete the module, or use it.
"""

from ..findings import Hit
from . import rule


def _unused_modules(model, unused: set[str]):
    """Outermost submodules (not the root) all of whose parameters are unused."""
    found = []
    for name, module in model.named_modules():
        if not name or any(name.startswith(prefix + ".") for prefix, _ in found):
            continue
        params = [f"{name}.{p}" for p, _ in module.named_parameters()]
        if params and all(p in unused for p in params):
            found.append((name, module))
    return found


@rule("CNA205", "unused-module", "warning")
def check(ctx):
    if ctx.graph.failure is not None:
        return  # the graph is incomplete: everything after the crash looks unused
    unused = set(ctx.graph.unused_parameters)
    if not unused:
        return
    # Confirm in training mode only when evaluation left something unused.
    train = ctx.train_graph
    if train.failure is None:
        unused &= train.unused_parameters
    from ...load.sites import Site

    for name, module in _unused_modules(ctx.model, unused):
        count = sum(p.numel() for p in module.parameters())
        site = ctx.loaded.sites.get(name) or ctx.model_site() or Site("<model>", 0)
        yield Hit(
            None,
            f"{name} ({type(module).__name__}, {count:,} parameters) is never used in forward, "
            "in training or evaluation mode",
            site=site,
            layer=name,
        )
