"""ReLU units that are never active: dead for every sample of a batch.

## What it does
After a short run at the configured rate (and at initialization), feeds a
batch and watches every ReLU-family activation (modules and `F.relu` calls):
a channel whose output is zero for every sample and position is dead. A
layer of at least 16 channels with more than half of them dead is a finding,
with the fraction at initialization and after the steps (smaller layers, such
as a squeeze-and-excitation bottleneck of 6, are in the figures only): a
warning when 90 % or more are dead, or fewer stay alive than the model has
classes — the layer starves what follows — and a suggestion otherwise (lost
capacity: VGG's 4096-wide head at SGD 0.01 loses 83 % of its units in 30
steps and still trains).

## Why is this bad?
A dead ReLU passes no gradient, so it never comes back: its channel, and the
weights feeding it, are lost capacity. Many dead units at initialization
point at a bias or input scale that puts the pre-activations below zero;
units that die during the first steps point at a learning rate that is too
high (a large step pushes them negative for every input).

## Example
```python
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)  # units die in the first steps
```

## Use instead
```python
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
# or nn.LeakyReLU(0.01), which never dies entirely
```
"""

from ...load.sites import caller_site
from ..measure import short_run
from . import Diagnosis, Outcome, check

# Fewer units than this (a squeeze-and-excitation bottleneck's 6) are
# reported in the figures only: a fraction of a handful is coarse, and such
# bottlenecks gate the features rather than carry them.
MIN_UNITS = 16
FUNCTIONS = {"relu", "relu_", "relu6"}
SAMPLES = 128


def dead_fractions(session, model) -> dict:
    """activation → (dead channels, channels, site or None) over one batch."""
    import torch.nn as nn
    from torch.overrides import TorchFunctionMode

    torch = session.torch
    seen: dict[str, list] = {}

    def note(key, output, site=None):
        if not isinstance(output, torch.Tensor) or output.dim() < 2:
            return
        reduce = [d for d in range(output.dim()) if d != 1]
        alive = output.detach().float().amax(dim=reduce) > 0
        entry = seen.setdefault(key, [None, site])
        entry[0] = alive if entry[0] is None else entry[0] | alive

    depth = [0]  # inside an activation module: its F.relu is the module's, not a call

    class Functional(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            name = getattr(func, "__name__", "")
            if name in FUNCTIONS and not depth[0]:
                site = caller_site()
                if site is not None:
                    # the column too: two calls on one line are two activations
                    note(f"{name} at {session.shown(site)}:{site.col}", out, site)
            return out

    def enter(module, args):
        depth[0] += 1

    def leave(name):
        def hook(module, args, out):
            depth[0] -= 1
            note(name, out)
        return hook

    handles = []
    for name, module in model.named_modules():
        if isinstance(module, (nn.ReLU, nn.ReLU6)):
            handles += [module.register_forward_pre_hook(enter),
                        module.register_forward_hook(leave(name))]
    # Training mode, as the steps see it (BatchNorm on the batch's statistics).
    try:
        with torch.no_grad(), Functional():
            x, _ = session.batch(0, min(SAMPLES, len(session.data.train_x)))
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {key: (int((~alive).sum()), alive.numel(), site)
            for key, (alive, site) in seen.items() if alive is not None}


@check("CNA505", "dead-units", "warning")
def run(session):
    after_run = short_run(session)
    at_init = dead_fractions(session, session.fresh_model())
    if not at_init:
        return Outcome("not applicable", "no ReLU-family activation")
    if after_run["problem"] is not None:
        after = {}
        steps = after_run["problem"]["step"]
    else:
        after = dead_fractions(session, after_run["model"])
        steps = after_run["steps"]
    figures = {"at_init": {k: [d, n] for k, (d, n, _) in at_init.items()},
               "after_steps": {k: [d, n] for k, (d, n, _) in after.items()}, "steps": steps}
    limit = session.options.dead_fraction
    found = []
    for key, (_, units, site) in {**at_init, **after}.items():
        if units < MIN_UNITS:
            continue
        start = at_init.get(key, (0, units, None))
        end = after.get(key, start)
        if max(start[0], end[0]) / units <= limit:
            continue
        when = (f"{start[0]} of {units} at initialization" if start[0] / units > limit
                else f"{start[0]} of {units} at initialization, {end[0]} of {units} after "
                     f"{steps} steps at lr {session.options.lr:g}")
        dead = max(start[0], end[0])
        alive = units - dead
        # Nearly all dead, or fewer alive than the classes to tell apart: the
        # layer starves what follows (a warning). Over half dead with many
        # left alive (VGG's 4096-wide head keeps 700 and trains) is lost
        # capacity, a suggestion.
        starving = dead / units >= session.options.dead_fraction_warning \
            or alive < session.classes
        found.append(Diagnosis(
            f"{key} has dead units: {when} are zero for all {SAMPLES} samples"
            f"{'' if starving else f' ({alive} alive)'}; a dead ReLU passes no gradient and "
            "rarely recovers — lower the rate, check the input scale (CNA509) and biases, or "
            "use LeakyReLU", layer=None if site else key, site=site,
            severity=None if starving else "suggestion"))
    total = sum(n for _, n, _ in at_init.values())
    dead_end = sum(d for d, _, _ in after.values()) if after else None
    summary = (f"{sum(d for d, _, _ in at_init.values())} of {total} ReLU channels dead at "
               f"init" + (f", {dead_end} after {steps} steps" if dead_end is not None else ""))
    return Outcome("finding" if found else "pass", summary, figures, found)
