"""A feature map smaller than the kernel that consumes it.

## What it does
Finds a convolution or pooling layer whose window is larger than its (padded)
input: the input was downsampled too often for its size. It says the smallest
input size that makes the model run.

## Why is this bad?
The forward pass crashes (`Kernel size can't be greater than actual input
size`, `Output size is too small`) — or, when padding hides it, the layer
reads mostly zeros.

## Example
```python
# three stride-2 stages on a 1×12×12 input leave a 1×1 map for a 3×3 conv
self.conv4 = nn.Conv2d(64, 64, 3)
```

## Use instead
Feed a larger input, remove a downsampling stage, or pad (`padding=1`).
"""

from ...trace.diagnose import kernel_too_large
from ..findings import Hit, SourceEdit
from ..patterns import POOL_MODULES
from . import rule

MAX_SIDE = 4096


def smallest_working_side(ctx, channels_first) -> int | None:
    """The smallest square input (same channels) that traces without failing."""
    from ...trace.infer import smallest_passing

    shape = ctx.input_shapes[0]
    if len(shape) < 2:
        return None

    def works(side):
        candidate = (*channels_first, *([side] * (len(shape) - len(channels_first))))
        return ctx.trace_at([candidate]).failure is None

    return smallest_passing(shape[-1] + 1, MAX_SIDE, works)


@rule("CNA104", "spatial-collapse", "error")
def check(ctx):
    for node in ctx.graph.ops():
        if node.kind != "module":
            continue
        too_large = kernel_too_large(node)
        if not too_large:
            continue
        extent, padded = too_large
        shape = ctx.input_shapes[0]
        side = smallest_working_side(ctx, shape[:1])
        hint = ""
        if side is not None:
            smallest = "×".join(map(str, (shape[0], *([side] * (len(shape) - 1)))))
            hint = f"; the smallest input that works is {smallest}"
        yield Hit(
            node,
            f"{node.name} ({node.op}) has a {'×'.join(map(str, extent))} window but receives a "
            f"{'×'.join(map(str, padded))} (padded) map from a "
            f"{'×'.join(map(str, shape))} input{hint}",
            fix=global_pool_fix(node),
            edit=_global_pool_edit(node) if global_pool_fix(node) else None,
        )
        return  # the first collapse stops the forward pass


def _global_pool_edit(node) -> SourceEdit:
    kind = "Max" if node.op.startswith("Max") else "Avg"
    return SourceEdit("replace_constructor", "safe", class_name=f"Adaptive{kind}Pool{node.op[-2]}d",
                      arguments="1",
                      reason="the adaptive pool gives the 1×1 output the head was written "
                             "for, at any input size: the same result where the old pool "
                             "worked",
                      expect={"params": 0})


def global_pool_fix(node) -> str | None:
    """A pool whose window is its stride and at least 4 wide is, in the heads
    of ResNet-style nets (``nn.AvgPool2d(7)``), a global pool written for one
    input size: the adaptive pool gives the same 1×1 output at that size and
    works at any other."""
    if node.op not in POOL_MODULES:
        return None
    kernel = node.module.kernel_size
    stride = node.module.stride or kernel
    kernels = kernel if isinstance(kernel, tuple) else (kernel,)
    if stride != kernel or min(kernels) < 4:
        return None
    kind = "Max" if node.op.startswith("Max") else "Avg"
    dims = node.op[-2]
    return f"nn.Adaptive{kind}Pool{dims}d(1) in place of {node.name} ({node.op}({kernel}))"

