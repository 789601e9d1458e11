"""A conv/linear bias feeding BatchNorm, which cancels it.

## What it does
Finds a convolution or Linear with `bias=True` whose output goes only into a
BatchNorm, and says how many parameters `bias=False` saves.

## Why is this bad?
BatchNorm subtracts the per-channel mean, which removes any constant the
layer added; its own `beta` is the shift. The bias is parameters, optimizer
state and memory traffic that do nothing.

## Example
```python
self.conv1 = nn.Conv2d(1, 10, kernel_size=3)
self.bn1 = nn.BatchNorm2d(10)
```

## Use instead
```python
self.conv1 = nn.Conv2d(1, 10, kernel_size=3, bias=False)
self.bn1 = nn.BatchNorm2d(10)
```

## Fix
`lint --fix` adds `bias=False` to the layer's constructor call (or sets the
`bias` argument it already has). **Safe**: BatchNorm subtracts the channel
mean, so no output changes; parameters drop by exactly the bias, which the
fix verifies. A checkpoint saved with the bias no longer loads with
`strict=True` (drop the `*.bias` keys, or load with `strict=False`).
"""

from ..findings import Hit, Savings, SourceEdit
from ..patterns import conv_spec, is_batchnorm, is_conv, is_linear, layer_params, per_sample_macs
from . import rule


@rule("CNA202", "bias-before-bn", "warning")
def check(ctx):
    graph = ctx.graph
    for node in graph.ops():
        if node.kind != "module" or not (is_conv(node) or is_linear(node)):
            continue
        if getattr(node.module, "bias", None) is None:
            continue
        consumers = graph.consumers(node)
        if not consumers or not all(is_batchnorm(c) for c in consumers):
            continue
        bias = node.module.bias.numel()
        params = layer_params(node)
        macs = per_sample_macs(graph, node)
        spec = conv_spec(node)
        if spec is not None:
            fix = (f"nn.{node.op}({spec.in_channels}, {spec.out_channels}, "
                   f"kernel_size={spec.kernel[0] if len(set(spec.kernel)) == 1 else spec.kernel}"
                   ", ..., bias=False)")
        else:
            fix = f"nn.Linear({node.module.in_features}, {node.module.out_features}, bias=False)"
        yield Hit(
            node,
            f"{node.name}'s bias ({bias:,} parameters) is cancelled by {consumers[0].name}, which "
            f"subtracts the channel mean: bias=False saves {bias:,} parameters",
            savings=Savings(params, params - bias, macs, macs),
            fix=fix,
            rewrite={"layer": node.name, "bias": False},
            edit=SourceEdit("set_argument", "safe", keyword="bias", value="False",
                            position=7 if is_conv(node) else 2,
                            reason="BatchNorm subtracts the channel mean, so the bias changes "
                                   "no output; a checkpoint saved with the bias no longer "
                                   "loads strictly",
                            expect={"params": -bias}) if node.kind == "module" else None,
        )
