"""A layer receives other channels than it was built for.

## What it does
Finds a BatchNorm whose `num_features`, a convolution whose `in_channels`, or a
GroupNorm whose `num_channels` differs from the channels of the tensor it
receives, and says both numbers.

## Why is this bad?
The forward pass crashes (`running_mean should contain 10 elements not 16`,
`expected input to have 16 channels, but got 10`) at the first batch.

## Example
```python
self.conv1 = nn.Conv2d(1, 10, 3)
self.bn1 = nn.BatchNorm2d(16)
```

## Use instead
```python
self.bn1 = nn.BatchNorm2d(10)  # the conv's out_channels
```
"""

from ...trace.diagnose import channel_mismatch
from ..findings import Hit, SourceEdit
from . import rule

_CHECKED = ("_BatchNorm", "_ConvNd", "GroupNorm", "_InstanceNorm")


def _checked(module) -> bool:
    names = {cls.__name__ for cls in type(module).__mro__}
    return any(name in names for name in _CHECKED) and not type(module).__name__.startswith("Lazy")


@rule("CNA103", "channel-mismatch", "error")
def check(ctx):
    for node in ctx.graph.ops():
        if node.kind != "module" or not _checked(node.module):
            continue
        module = node.module
        if type(module).__name__ == "GroupNorm":
            received = node.inputs[0].shape[1] if node.inputs and len(node.inputs[0].shape) > 1 \
                else None
            if received is not None and received != module.num_channels:
                yield Hit(node, f"{node.name} is built for {module.num_channels} channels but "
                                f"receives {received}", fix=f"num_channels={received}")
            continue
        mismatch = channel_mismatch(node)
        if mismatch:
            attribute, expected, received = mismatch
            yield Hit(node, f"{node.name} ({node.op}) is built for {expected} channels but "
                            f"receives {received}", fix=f"{attribute}={received}",
                      edit=_channels_edit(module, attribute, expected, received))


def _channels_edit(module, attribute: str, expected: int,
                   received: int) -> SourceEdit | None:
    """``in_channels=received`` (a conv), ``num_features=received`` (a norm):
    the first argument of both constructors. Unsafe: the weights change shape
    (a checkpoint no longer loads) and the layer before may be what is wrong."""
    if attribute not in ("in_channels", "num_features"):
        return None
    weight = getattr(module, "weight", None)
    if attribute == "in_channels":
        per_channel = weight[0, 0].numel() * weight.shape[0] // module.groups \
            if weight is not None else 0
        groups_change = received % module.groups
        if groups_change:
            return None  # the groups would not divide the new count: by hand
        delta = (received - expected) * per_channel
    else:
        affine = 2 if getattr(module, "affine", False) else 0
        delta = (received - expected) * affine
    return SourceEdit("set_argument", "unsafe", keyword=attribute, value=str(received),
                      position=0,
                      reason="the layer's weights change shape, so a trained checkpoint no "
                             "longer loads; and the layer before it may be the one built wrong",
                      expect={"params": delta})
