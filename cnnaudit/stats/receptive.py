"""Receptive field, effective stride and effective padding of every tensor of
the traced graph, per spatial dimension.

The reference is Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019, doi 10.23915/distill.00021).
Along each spatial dimension, unit ``u`` of a map sees input positions

    [u·S − P,  u·S − P + r − 1]

with ``r`` the receptive field, ``S`` the effective stride (the article's
jump) and ``P`` the effective padding. A layer maps its output unit ``o`` to
an interval of its own input centred on ``a·o + b`` with half-width ``h``; a
convolution or pooling of kernel ``k``, stride ``s``, padding ``p`` and
dilation ``d`` has ``a = s``, ``h = (k' − 1)/2``, ``b = h − p`` with
``k' = d·(k − 1) + 1``. Composing with the field so far:

    S' = S·a      r' = r + 2h·S      P' = P − S·b + h·S

which is the article's recurrence (``r' = r + (k' − 1)·S``, ``P' = P + p·S``)
and extends to fractional strides: a transposed convolution or an upsampling
has ``a = 1/s``. There the field is labelled *fractional*: a unit's footprint
depends on its position (its phase), and ``r`` and the centre are the means
over the units of one period (tests/test_receptive.py measures them so).

Where paths join (``+``, ``cat``, ``*``) the field is the union of theirs;
paths whose centres differ by a whole unit of the coarsest path's stride or
more are *misaligned* (the article's alignment condition), and each such join
is recorded. A global pooling, a
mean over the spatial dimensions, or a Linear over a flattened map sees the
*whole* input: no number is invented for it. A path through global pooling
multiplied back onto a map (squeeze-and-excitation) gives that map global
*context* on top of its local field.

What the pass does not understand (an op that moves positions it cannot
follow) leaves the field unknown from there on, never guessed.

This module walks the graph and joins paths; how each layer that moves
positions (convolutions, pooling, padding, upsampling, slicing) maps its
units onto its input is ``receptive_windows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import ceil, prod

from ..trace.graph import Graph, Node, TensorInfo
from ..trace.kinds import as_tuple, is_linear, op_name
from .receptive_windows import ADAPTIVE_FUNCTIONS, ADAPTIVE_MODULES, layer_window

MAP, FLAT, WHOLE = "map", "flat", "whole"
CONST = "const"  # computed from parameters and constants only: no position of the input

REDUCTIONS = {"mean", "sum", "amax", "amin", "max", "min", "std", "var", "logsumexp", "norm",
              "prod"}
LAYOUT = {"view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "_unsafe_view",
          "view_as", "reshape_as"}
PERMUTING = {"permute", "transpose", "movedim", "swapaxes", "swapdims", "t"}
MIXING = {"matmul", "bmm", "mm", "einsum", "scaled_dot_product_attention", "baddbmm", "addmm",
          "MultiheadAttention"}
# Centres this many units apart (of the coarsest joined path's stride) make a
# join misaligned; half a unit is a design (see _union), and not reported.
MISALIGNMENT_UNITS = 1


@dataclass(frozen=True)
class Field:
    """The receptive field of a tensor (see the module's docstring)."""

    kind: str  # MAP, FLAT (a flattened map: each element still local), WHOLE
    size: tuple[Fraction, ...] = ()  # r per spatial dimension
    jump: tuple[Fraction, ...] = ()  # S
    padding: tuple[Fraction, ...] = ()  # P
    dims: tuple[int, ...] = ()  # the tensor's dimensions holding the positions
    context: bool = False  # global context joined (squeeze-and-excitation)
    fractional: bool = False  # an upsampling on the way: position-dependent footprint
    # the coarsest stride on the way (an upsampled path keeps its coarse one):
    # how far apart joined paths may be centred before it is a misalignment
    grain: tuple = ()

    def centre(self, dim: int, unit: int = 0) -> Fraction:
        """Where unit ``unit``'s field is centred along spatial dim ``dim``."""
        return unit * self.jump[dim] - self.padding[dim] + Fraction(self.size[dim] - 1) / 2

    def extent(self, dim: int, unit: int) -> tuple[Fraction, Fraction]:
        """(first, last) input position unit ``unit`` sees along ``dim``."""
        first = unit * self.jump[dim] - self.padding[dim]
        return first, first + self.size[dim] - 1

    def to_dict(self) -> dict:
        data = {"kind": self.kind, "context": self.context, "fractional": self.fractional}
        if self.kind in (MAP, FLAT):
            data.update(size=[_number(v, up=True) for v in self.size],
                        stride=[_number(v) for v in self.jump],
                        padding=[_number(v) for v in self.padding])
        return data


def _number(value, up: bool = False):
    """An exact integer, or a fraction as a float (rounded up for sizes)."""
    if isinstance(value, int):
        return value
    if value.denominator == 1:
        return int(value)
    return ceil(value) if up else float(value)


@dataclass(frozen=True)
class Misalignment:
    """A join of paths whose fields are centred apart."""

    node: int
    centres: tuple[tuple[Fraction, ...], ...]  # per joined path, per spatial dim (unit 0)


@dataclass
class Fields:
    """The result of the pass: a field per node id (all of a node's outputs
    share it), joins found misaligned, and the model input's spatial size."""

    by_node: dict[int, Field | None] = field(default_factory=dict)
    misaligned: list[Misalignment] = field(default_factory=list)
    input_size: tuple[int, ...] = ()

    def of(self, tensor: TensorInfo) -> Field | None:
        if tensor.origin == "input":
            return identity(len(tensor.shape))
        return self.by_node.get(tensor.producer) if tensor.producer is not None else None


def identity(rank: int) -> Field | None:
    """A model input of ``rank`` dimensions: [N, C, *spatial]."""
    spatial = rank - 2
    if spatial < 1:
        return None
    return Field(MAP, (1,) * spatial, (1,) * spatial, (0,) * spatial, tuple(range(2, rank)),
                 grain=(1,) * spatial)


def receptive_fields(graph: Graph) -> Fields:
    """The field of every op-graph node's outputs, in call order; a container
    module's is that of the op that produced its output."""
    result = Fields()
    if not graph.inputs or len(graph.inputs[0].shape) < 3:
        return result  # no spatial input: nothing to compute
    result.input_size = tuple(graph.inputs[0].shape[2:])
    for node in graph.nodes:
        if not node.in_op_graph or not node.outputs:
            continue
        try:
            result.by_node[node.id] = _field_of(node, result)
        except (TypeError, ValueError, ZeroDivisionError, IndexError, AttributeError):
            result.by_node[node.id] = None  # arguments we cannot read: unknown, not guessed
    return result


def field_of_layer(graph: Graph, fields: Fields, node: Node) -> Field | None:
    """The field of what ``node`` returned (containers: their last op's)."""
    if not node.outputs:
        return None
    if node.in_op_graph:
        return fields.by_node.get(node.id)
    return fields.of(node.outputs[0])


# -- one node -----------------------------------------------------------------


def _field_of(node: Node, fields: Fields) -> Field | None:
    inputs = [(tensor, fields.of(tensor)) for tensor in node.inputs
              if tensor.origin in ("input", "node")]
    if any(f is None for _, f in inputs):
        return None  # a path we could not follow: the join is unknown too
    known = [(tensor, f) for tensor, f in inputs if f.kind != CONST]
    if not known:
        return Field(CONST)
    whole = [f for _, f in known if f.kind == WHOLE]
    if whole:
        others = [(t, f) for t, f in known if f.kind != WHOLE]
        if not others:
            return Field(WHOLE)
        # A globally pooled path brought back onto maps (squeeze-and-excitation,
        # ASPP's image pooling): their fields plus global context.
        joined = _union(node, others, fields) if _all_same_positions(others, node) else None
        return replace(joined, context=True) if joined is not None else None
    tensor, first = known[0]
    out = node.outputs[0].shape
    name = op_name(node)
    if first.kind == MAP:
        window = layer_window(node, tensor, out)
        if window is not None:
            return _compose(first, window)
        if _pools_globally(node, name, out):
            return Field(WHOLE)
    if name in PERMUTING or (node.kind == "module" and node.op == "Permute"):
        return _permuted(node, name, first, len(tensor.shape), len(out))
    if name in LAYOUT or (node.kind == "module" and node.op in ("Flatten", "Unflatten")):
        return _reshaped(first, tensor.shape, out)
    if is_linear(node):
        last = len(tensor.shape) - 1
        if first.kind == MAP and last not in first.dims:
            return first  # a 1×1 convolution written as a Linear on channels-last maps
        return Field(WHOLE) if last in first.dims or first.kind == FLAT else first
    if name in MIXING or node.op in MIXING:
        return Field(WHOLE)
    if name in REDUCTIONS:
        return _reduced(node, first, len(tensor.shape))
    if name in ("softmax", "log_softmax") or node.op in ("Softmax", "LogSoftmax"):
        dim = node.module.dim if node.kind == "module" else node.args.get("dim", node.args.get("1"))
        if isinstance(dim, int) and dim % len(tensor.shape) in first.dims:
            return Field(WHOLE)  # normalized over positions: each sees them all
    # Anything else keeping the positions where they are (activations, norms,
    # dropout, +, ×, channel cat) joins its inputs' fields; else: unknown.
    if _all_same_positions(known, node):
        return _union(node, known, fields)
    return None


def _all_same_positions(known, node: Node) -> bool:
    out = node.outputs[0].shape
    return all(_same_positions(t, f, out) for t, f in known)


def _same_positions(tensor: TensorInfo, f: Field, out) -> bool:
    if len(tensor.shape) != len(out):
        return False
    if f.kind == WHOLE:
        return True
    return all(tensor.shape[d] == out[d] for d in f.dims)


def _union(node: Node, known, fields: Fields) -> Field | None:
    """The joined paths' field: every position any of them sees."""
    if len({f.kind for _, f in known}) > 1:
        return None  # a map joined with a flattened one: not followed
    maps = [f for _, f in known if f.kind == MAP]
    if not maps:
        return known[0][1]
    first = maps[0]
    if len(maps) == 1 or all(f == first for f in maps[1:]):
        return first  # one path, or paths with one field (x * sigmoid(x))
    if any(f.dims != first.dims or len(f.size) != len(first.size) for f in maps):
        return None
    size, padding = [], []
    for dim in range(len(first.size)):
        lows = [-f.padding[dim] for f in maps]
        highs = [-f.padding[dim] + f.size[dim] - 1 for f in maps]
        size.append(max(highs) - min(lows) + 1)
        padding.append(-min(lows))
    # Centres of unit 0, doubled to stay integers: 2·c = 2·(−P) + r − 1.
    doubled = [[f.size[dim] - 1 - 2 * f.padding[dim] for dim in range(len(first.size))]
               for f in maps]
    # Misaligned: centres a whole unit of the coarsest joined path apart (its
    # coarsest stride on the way, so an upsampled path counts its coarse one; a
    # smaller shift, half a unit, is what 2×2 average-pool shortcuts and
    # nearest upsampling make by design: ResNet-D, NF-Net, HRNet, U-Nets).
    if any(max(c[d] for c in doubled) - min(c[d] for c in doubled)
           >= 2 * MISALIGNMENT_UNITS * max((f.grain or f.jump)[d] for f in maps)
           for d in range(len(first.size))):
        centres = tuple(tuple(Fraction(v) / 2 for v in c) for c in doubled)
        fields.misaligned.append(Misalignment(node.id, centres))
    grain = tuple(max((f.grain or f.jump)[d] for f in maps) for d in range(len(first.size)))
    return Field(MAP, tuple(size), first.jump, tuple(padding), first.dims,
                 any(f.context for f in maps), any(f.fractional for f in maps), grain)


def _compose(f: Field, window) -> Field:
    """The field after a layer: per dim either a window ``("conv", s, k', p)``
    (the article's integer recurrence) or ``(a, b, h)``, unit o mapped to
    centre a·o + b with half-width h (fractional strides). Integers stay
    integers: Fractions only where a stride is fractional (they cost 10× more)."""
    size, jump, padding = [], [], []
    fractional = f.fractional
    for dim, step in enumerate(window):
        r, j, p = f.size[dim], f.jump[dim], f.padding[dim]
        if step[0] == "conv":
            _, stride, extent, pad = step
            jump.append(j * stride)
            size.append(r + (extent - 1) * j)
            padding.append(p + pad * j)
            continue
        a, b, h = (_exact(v) for v in step)
        jump.append(j * a)
        size.append(r + 2 * h * j)
        padding.append(p - j * b + h * j)
        fractional = fractional or not isinstance(a, int) or not isinstance(2 * h, int)
    jumps = tuple(_exact(v) for v in jump)
    grain = tuple(max(g, j) for g, j in zip(f.grain or jumps, jumps))
    return Field(MAP, tuple(_exact(v) for v in size), jumps,
                 tuple(_exact(v) for v in padding), f.dims, f.context, fractional, grain)


def _exact(value):
    """An int when the value is whole, else a Fraction."""
    if isinstance(value, int):
        return value
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else value


# -- layers that move positions ---------------------------------------------


def _pools_globally(node: Node, name: str, out) -> bool:
    """Adaptive pooling to a single position."""
    if (node.kind == "module" and node.op in ADAPTIVE_MODULES) or name in ADAPTIVE_FUNCTIONS:
        return all(o == 1 for o in out[2:])
    return False


def _reduced(node: Node, f: Field, rank: int) -> Field | None:
    """A reduction over the positions sees them all; over other dims
    (channels) it keeps the field, its positions' dims shifted if dropped."""
    dims = node.args.get("dim", node.args.get("1"))
    if dims is None or dims == "<tensor>":
        return Field(WHOLE)
    reduced = {d % rank for d in as_tuple(dims, 1) if isinstance(d, int)}
    if f.kind == WHOLE or reduced & set(f.dims):
        return Field(WHOLE)
    if node.args.get("keepdim", node.args.get("2")) is True:
        return f
    return replace(f, dims=tuple(d - sum(r < d for r in reduced) for d in f.dims))


def _permuted(node: Node, name: str, f: Field, rank_in: int, rank_out: int) -> Field | None:
    if f.kind == WHOLE:
        return f
    if rank_in != rank_out:
        return None
    args = node.args
    if node.kind == "module" and node.op == "Permute":  # torchvision.ops.misc.Permute
        moved = {old: new for new, old in enumerate(d % rank_in for d in node.module.dims)}
    elif name == "permute":
        order = args.get("dims") or [v for k, v in sorted(args.items()) if k.isdigit()][1:]
        order = [d % rank_in for d in (order[0] if len(order) == 1 and
                                       isinstance(order[0], list) else order)]
        if sorted(order) != list(range(rank_in)):
            return None
        moved = {old: new for new, old in enumerate(order)}
    elif name in ("transpose", "swapaxes", "swapdims"):
        a = args.get("dim0", args.get("1"))
        b = args.get("dim1", args.get("2"))
        a, b = a % rank_in, b % rank_in
        moved = {d: d for d in range(rank_in)}
        moved[a], moved[b] = b, a
    elif name == "t":
        moved = {0: 1, 1: 0}
    else:
        return None
    return replace(f, dims=tuple(moved[d] for d in f.dims))


def _reshaped(f: Field, shape_in, shape_out) -> Field | None:
    """A view keeping the positions' dims (trailing, same sizes) moves them;
    one merging them flattens the map; anything else is not followed."""
    if f.kind == WHOLE:
        return f
    rank_in, rank_out = len(shape_in), len(shape_out)
    if f.kind == MAP:
        sizes = [shape_in[d] for d in f.dims]
        trailing = list(range(rank_in - len(f.dims), rank_in))
        if list(f.dims) == trailing and list(shape_out[rank_out - len(sizes):]) == sizes \
                and prod(shape_in[:rank_in - len(sizes)]) == prod(
                    shape_out[:rank_out - len(sizes)]):
            return replace(f, dims=tuple(range(rank_out - len(sizes), rank_out)))
        if f.dims and max(f.dims) == rank_in - 1 and rank_out < rank_in:
            # the positions merged into the last dims of the result
            return replace(f, kind=FLAT, dims=(rank_out - 1,))
        return None
    # A flattened map reshaped again: positions stay in the last dimension or
    # are lost track of.
    if shape_out and shape_in and shape_out[-1] == shape_in[-1]:
        return replace(f, dims=(rank_out - 1,))
    return None


# -- reading the result -------------------------------------------------------


@dataclass(frozen=True)
class FinalMap:
    """The last spatial map: the one the head pools or flattens (a
    classifier), else the model's last map (a fully convolutional model)."""

    node: Node  # the op that produced it
    name: str  # the outermost layer returning it (``layer4``)
    shape: tuple[int, ...]
    field: Field
    head: Node | None  # the op after which the field is the whole input
    pooled: bool = False  # the head pools the positions away (not a Linear on a flattened map)


def final_map(graph: Graph, fields: Fields) -> FinalMap | None:
    last = None
    for node in graph.ops():
        f = fields.by_node.get(node.id)
        if f is not None and f.kind == MAP:
            last = node
    if last is None:
        return None
    head = next((n for n in graph.ops() if n.id > last.id
                 and (fields.by_node.get(n.id) or Field(MAP)).kind == WHOLE), None)
    # Name the outermost layer returning the map (``layer4``); when it is a
    # bare op, the layer that made it (``pool``), not a dropout or an
    # activation passing it on unchanged.
    field_ = fields.by_node[last.id]
    name = _outermost_owner(graph, last)
    if name is None:
        while len([t for t in last.inputs if t.origin in ("node", "input")]) == 1 \
                and last.inputs[0].producer is not None:
            before = graph.nodes[last.inputs[0].producer]
            if fields.by_node.get(before.id) != field_ or not before.outputs or \
                    before.outputs[0].shape != last.outputs[0].shape:
                break
            last = before
        name = _outermost_owner(graph, last) or last.name
    pooled = head is not None and not any(
        (fields.of(t) or Field(MAP)).kind == FLAT for t in head.inputs
        if t.origin in ("input", "node"))
    return FinalMap(last, name, tuple(last.outputs[0].shape), field_, head, pooled)


def _outermost_owner(graph: Graph, node: Node) -> str | None:
    """The least deep container module whose output ``node`` produced."""
    owners = [n for n in graph.nodes[1:] if n.kind == "module" and not n.in_op_graph
              and n.outputs and n.outputs[0].producer == node.id]
    return min(owners, key=lambda n: n.depth).name if owners else None


def attach(layers, graph: Graph, fields: Fields) -> None:
    """Each LayerStats (one per node after the root, in order) gets its field."""
    for node, layer in zip(graph.nodes[1:], layers):
        f = field_of_layer(graph, fields, node)
        layer.receptive_field = f.to_dict() if f is not None else None
