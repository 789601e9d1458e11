"""A convolution or pooling whose windows never cover some real input rows or columns.

## What it does
For each strided convolution and pooling layer, compares where the last
window ends with where the real (not padding) input ends. When
`(H + 2·padding − kernel) mod stride` leaves real rows past the last window,
those rows (and likewise columns) are never read. Strided 1×1 layers that skip
pixels by design (ResNet's downsampling shortcut) are not reported; neither is a
loss below 1 % of the extent (configurable).

## Why is this bad?
Information at the bottom and right border is silently dropped, and the
layer's receptive field is shifted off-center: a 2×2, stride-2 pooling of an
11×11 map reads 10×10 and throws away 21 of 121 pixels per channel.

## Example
```python
self.pool = nn.MaxPool2d(2, 2)  # receives 11×11
```

## Use instead
```python
self.pool = nn.MaxPool2d(2, 2, ceil_mode=True)  # or pad the conv before so the map is even
```
"""

from ..findings import Hit
from ..patterns import conv_spec, is_conv, pool_spec
from . import rule


def _window(node):
    """(kernel extent, stride, padding) per spatial dim, or None."""
    if is_conv(node):
        spec = conv_spec(node)
        if spec is None or spec.transposed or isinstance(spec.padding, str):
            return None
        extents = tuple(d * (k - 1) + 1 for k, d in zip(spec.kernel, spec.dilation))
        return extents, spec.stride, spec.padding
    pool = pool_spec(node)
    if pool is None:
        return None
    return pool.extents, pool.stride, pool.padding


@rule("CNA208", "border-truncation", "warning")
def check(ctx):
    share = ctx.options.truncation_min_share
    for node in ctx.graph.ops():
        if not node.inputs or not node.outputs or node.error:
            continue
        window = _window(node)
        if window is None:
            continue
        extents, strides, paddings = window
        size_in = node.inputs[0].shape[2:]
        size_out = node.outputs[0].shape[2:]
        if len(size_in) != len(extents) or len(size_out) != len(extents):
            continue
        lost = []
        for extent, stride, pad, n_in, n_out in zip(extents, strides, paddings, size_in,
                                                    size_out):
            if stride <= 1 or extent < stride:  # no remainder, or gaps by design
                lost.append(0)
                continue
            last_read = (n_out - 1) * stride + extent - 1  # in padded coordinates
            lost.append(max(0, pad + n_in - 1 - last_read))
        if not any(lost) or max(k / n for k, n in zip(lost, size_in)) < share:
            continue
        kept = 1
        total = 1
        for k, n in zip(lost, size_in):
            kept *= n - k
            total *= n
        dims = "×".join(map(str, size_in))
        what = " and ".join(
            f"the last {k} {'row' if i == 0 else 'column'}{'s' if k > 1 else ''}"
            for i, k in enumerate(lost[:2]) if k
        )
        yield Hit(
            node,
            f"{node.name} ({'×'.join(map(str, extents))} window, stride "
            f"{'×'.join(map(str, strides))}) on a {dims} map never reads {what}: "
            f"{total - kept:,} of {total:,} pixels per channel are lost "
            f"({(total - kept) / total:.0%})",
            fix="ceil_mode=True (pooling), more padding, or an input size the strides divide",
        )
