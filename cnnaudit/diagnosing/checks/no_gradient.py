"""Trainable parameters that receive no gradient: the layer can never learn.

## What it does
Runs forward and backward on a real batch, takes one optimizer step, and
runs backward again. A trainable parameter whose gradient is `None` both
times is cut off from the loss; one whose gradient is exactly zero both
times gets no signal (a zero-initialized scale that the first step wakes up
is fine). The finding is at the layer's construction line, with where the
graph is cut when it can be found: the layer ran under `torch.no_grad()`,
or its output goes through `.detach()`, `.data`, an integer cast or an
`argmax` before the loss.

## Why is this bad?
The optimizer silently skips those parameters: they keep their initial
values forever, and the model trains with a random, frozen layer in it.
Nothing raises; the loss still falls a little through the other layers.

## Example
```python
def forward(self, x):
    x = self.features(x).detach()  # the features never learn
    return self.head(x.flatten(1))
```

## Use instead
```python
def forward(self, x):
    x = self.features(x)
    return self.head(x.flatten(1))
```
"""

from ...trace.kinds import op_name
from ..measure import gradients
from . import Diagnosis, Outcome, check

# Ops after which no gradient flows back to what they read.
CUTTING = {"detach", "detach_", "argmax", "argmin", "round", "floor", "ceil", "sign", "long",
           "int", "short", "bool", "byte", "numpy", "tolist", "nonzero", "eq", "gt", "lt",
           "ge", "le", "ne", "bucketize", "searchsorted"}


def _cut_after(session, module_name: str):
    """The first op downstream of the module's output that stops gradients,
    as (op, its call site), or None."""
    graph = session.graph
    node = session.nodes.get(module_name)
    if node is None:
        return None
    storages = {t.storage for t in node.outputs}
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        for consumer in graph.consumers(current):
            if consumer.id in seen:
                continue
            seen.add(consumer.id)
            if consumer.kind == "function" and op_name(consumer) in CUTTING:
                return consumer
            stack.append(consumer)
    # `.data` makes a tensor the tracer cannot connect: a consumer reading the
    # module's storage as a constant
    for other in graph.ops():
        if other.id > node.id and any(t.origin == "constant" and t.storage in storages
                                      for t in other.inputs):
            return other
    return None


def _where_cut(session, name, calls):
    """Why the module ``name`` got no gradient, and the site that says so."""
    entry = calls.get(name)
    node = session.nodes.get(name)
    if entry is not None and not entry["grad_enabled"]:
        return "it runs with autograd off (torch.no_grad() or inference_mode in forward)", \
            node.call_site if node is not None else None
    cut = _cut_after(session, name)
    if cut is not None:
        label = cut.op.rsplit(".", 1)[-1]
        what = ("its output is read through .data" if any(t.origin == "constant"
                                                          for t in cut.inputs)
                and label not in CUTTING else f"its output goes through {label}()")
        return f"{what}, which stops gradients, at {session.shown(cut.call_site)}", \
            cut.call_site
    if entry is None:
        return "it is never called in forward", None
    return "its output never reaches the loss", None


@check("CNA503", "no-gradient", "error")
def run(session):
    measured = gradients(session)
    params, calls = measured["params"], measured["calls"]
    owners: dict[str, list[str]] = {}
    zeros: dict[str, list[str]] = {}
    for name, entry in params.items():
        module = name.rpartition(".")[0]
        if entry["none"] and entry["none_again"]:
            owners.setdefault(module, []).append(name.rpartition(".")[2])
        elif entry["zero"] and entry["zero_again"]:
            zeros.setdefault(module, []).append(name.rpartition(".")[2])
    total = len(params)
    cut = sum(len(v) for v in owners.values())
    zero = sum(len(v) for v in zeros.values())
    figures = {"parameters": total, "no_gradient": cut, "zero_gradient": zero,
               "layers_without": sorted(owners), "layers_zero": sorted(zeros)}
    summary = f"{total - cut - zero} of {total} trainable parameters get a gradient"
    if not owners and not zeros:
        return Outcome("pass", summary, figures)
    found = []
    for module, names in owners.items():
        why, site = _where_cut(session, module, calls)
        found.append(Diagnosis(
            f"{', '.join(names)} of {module or 'the model'} get no gradient: {why}; the "
            "optimizer never changes them", layer=module or None,
            site=site if module not in session.nodes else None))
    for module, names in zeros.items():
        found.append(Diagnosis(
            f"{', '.join(names)} of {module or 'the model'} get a gradient of exactly zero, "
            "before and after the first step: nothing downstream passes a signal back (a dead "
            "activation, a multiplication by zero, a mask)", layer=module or None,
            severity="warning"))
    return Outcome("finding", summary, figures, found)
