"""Global pooling of a feature map that sees less than half the input: the head reads small windows.

## What it does
Computes the receptive field of every layer (as `cnnaudit summary --rf`
shows it) and reads it at the last spatial feature map, the one that global
pooling (average or max pooling to 1×1, a mean over the positions) hands to
the classifier. When that field spans less than `rf-min-share` (default 0.5)
of the input along a side, it reports the field, the input size, and how
many more 3×3 convolutions at the map's stride would close the gap. A head
that flattens the map into a Linear is not reported: the Linear reads every
position with its own weights, so it sees the whole input (PyTorch's MNIST
example, a 6×6 field on 28×28 digits, is 99 % accurate that way).

## Why is this bad?
Each feature the head reads describes one window of the input, no larger
than the receptive field, and global pooling forgets where each came from. A
head that pools 5×5-pixel features of a 28×28 image never sees a feature of
the whole digit, only which strokes occur somewhere: what the network can
recognize is bounded by what one unit sees (Araujo et al., "Computing
Receptive Fields of Convolutional Neural Networks", Distill 2019; Luo et
al., "Understanding the Effective Receptive Field", 2016, show the effective
field is smaller still).

## Example
```python
x = F.relu(self.conv2(F.relu(self.conv1(x))))   # two 3×3: a 5×5 field of 28×28
return self.fc(x.mean((2, 3)))
```

## Use instead
```python
x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # each stride-2 stage doubles
x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # what the later 3×3s add
x = F.max_pool2d(F.relu(self.conv3(x)), 2, ceil_mode=True)   # field 22×22
return self.fc(x.mean((2, 3)))
```
"""

from math import ceil

from ..findings import Hit
from . import rule


@rule("CNA210", "narrow-receptive-field", "warning")
def check(ctx):
    fields = ctx.fields
    final = ctx.final_map
    if final is None or not final.pooled or not fields.input_size:
        return  # a Linear on a flattened map reads every position itself
    share = ctx.options.rf_min_share
    f = final.field
    short = [(dim, size) for dim, size in enumerate(fields.input_size)
             if f.size[dim] < share * size and size > 1]
    if not short:
        return
    sides = "×".join(str(ceil(v)) for v in f.size)
    given = "×".join(map(str, fields.input_size))
    # Each 3×3 convolution at the map's stride widens the field by 2·stride.
    more = max(ceil((share * size - f.size[dim]) / (2 * f.jump[dim])) for dim, size in short)
    strides = {ceil(v) for v in f.jump}
    stride = str(strides.pop()) if len(strides) == 1 else "×".join(str(ceil(v)) for v in f.jump)
    seen = min(float(f.size[dim]) / size for dim, size in short)
    plural = "s" if more != 1 else ""
    yield Hit(
        final.node,
        f"the final feature map ({final.name}, {'×'.join(map(str, final.shape[2:]))}) has a "
        f"{sides} receptive field, {seen:.0%} of a side of the {given} input, and "
        f"{final.head.name} pools it: the head only reads features of small windows; "
        f"{more} more 3×3 convolution{plural} at stride {stride} would reach {share:.0%}, "
        "or downsample earlier (every later 3×3 then adds twice as much)",
        fix=f"{more} more 3×3 convolution{plural} before the head, or a stride-2 stage earlier",
        layer=final.name,
    )
