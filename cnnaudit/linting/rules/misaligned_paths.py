"""Paths joined by an addition or concatenation whose receptive fields are centred apart.

## What it does
Follows every path's receptive field (as `cnnaudit summary --rf` shows it)
to each `+`, `cat` or `*` that joins paths, and compares where each path's
field is centred for the same output unit. Centres a whole unit apart or
more (a unit: the effective stride of the coarsest joined path, in input
pixels) are reported, per spatial dimension, with both centres. Half a unit
is a design and is not reported: the 2×2 average-pooling shortcuts of
ResNet-D and NF-Nets and nearest upsampling (HRNet, U-Nets) shift by that
much by nature.

## Why is this bad?
The joined maps have the same size, so the join looks right, but the same
output position describes different places of the input through each path:
a residual or skip connection adds features of one region to features of a
neighbouring one. The network must learn to undo the shift, and features at
the borders mix padding with content. Araujo et al. ("Computing Receptive
Fields of Convolutional Neural Networks", Distill 2019) name this the
alignment condition of multi-path networks.

## Example
```python
a = self.conv3(x)                      # 3×3, padding=1: centred on the unit
b = self.conv3b(F.pad(x, (2, 0, 2, 0)))  # 3×3, no padding, padded top-left: centred 1 px up-left
y = a + b
```

## Use instead
```python
b = self.conv3b(x)   # padding=1, the same as the other path
y = a + b
```
"""

from fractions import Fraction

from ...trace.infer import SPATIAL_NAMES
from ..findings import Hit
from . import rule


def _number(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else f"{float(value):g}"


@rule("CNA211", "misaligned-paths", "warning")
def check(ctx):
    graph = ctx.graph
    for misalignment in ctx.fields.misaligned:
        node = graph.nodes[misalignment.node]
        centres = misalignment.centres
        rank = len(centres[0])
        names = SPATIAL_NAMES.get(rank, tuple(str(d) for d in range(rank)))
        apart = []
        for dim in range(rank):
            values = sorted({c[dim] for c in centres})
            if values[-1] - values[0] > 0:
                apart.append(f"{names[dim]}: {' vs '.join(_number(v) for v in values)}")
        if not apart:
            continue
        yield Hit(
            node,
            f"{node.name} joins {len(centres)} paths whose receptive fields are centred apart "
            f"({'; '.join(apart)}, input pixels, for the first output unit): each output "
            "position adds features of different places of the input",
            fix="give the paths the same padding (k//2 for a k×k kernel), or crop/pad them "
                "alike before joining",
        )
