"""Shared by the convolution suggestions (CNA302-304): which convs qualify,
and the parameter and MAC formulas of a replacement."""

from __future__ import annotations

from math import prod

from ..patterns import conv_spec, first_conv, is_conv


def candidate_convs(ctx):
    """Full (groups=1), spatial, non-transposed convolution modules past the stem."""
    graph = ctx.graph
    stem = first_conv(graph)
    for node in graph.ops():
        if node.kind != "module" or not is_conv(node) or node.error or node is stem:
            continue
        if node.call_index:
            continue  # a module called again: one suggestion per module
        spec = conv_spec(node)
        if spec is None or spec.transposed or spec.groups != 1 or not spec.spatial:
            continue
        yield node, spec


def conv_params(c_in: int, c_out: int, kernel, bias: bool, groups: int = 1) -> int:
    return c_out * (c_in // groups) * prod(kernel) + (c_out if bias else 0)


def worth_it(before: int, after: int, share: float) -> bool:
    return before > 0 and (before - after) / before >= share
