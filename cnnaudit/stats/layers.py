"""Per-layer records and model totals, read from the graph.

Counts are per sample: the trace runs a batch larger than one (so that batch
faults show), and MACs and activation bytes are divided by it. Parameters are
taken from the modules, shared parameters once (totals come from the root, as
torchinfo does, so tied weights are not counted twice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..load.sites import display_path
from ..trace.graph import Graph, Node


@dataclass
class LayerStats:
    name: str
    type: str
    kind: str  # "module" | "function"
    depth: int
    output_shape: list[int] | None
    params: int  # the module's own and its children's
    macs: int  # per sample, this call and everything inside it
    activation_bytes: int  # per sample, new memory written by this call's outputs
    file: str | None
    line: int | None
    error: str | None = None
    # per sample, what autograd keeps for backward from this call and inside
    # it (measured in training mode; None unless training memory was asked for)
    saved_bytes: int | None = None
    # every tensor it returned, in order (a list, tuple or dict of maps: a
    # U-Net encoder's six); output_shape is the first
    output_shapes: list[list[int]] = field(default_factory=list)
    calls: int = 1  # > 1 for a row that folds consecutive functional ops (--depth)
    # what one unit of its output sees of the input (stats.receptive): kind,
    # size, stride and padding per spatial dimension; None when unknown
    receptive_field: dict | None = None
    # per output: does its first dimension grow with the batch? (the trace ran
    # at the graph's batch size; the table shows such shapes at the user's)
    per_batch: list[bool] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Totals:
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    flops: int
    activation_bytes: int
    param_bytes: int
    buffer_bytes: int
    input_bytes: int
    macs_by_op: dict[str, int] = field(default_factory=dict)
    fixed_macs: int = 0  # of macs: once per forward, whatever the batch

    def to_dict(self) -> dict:
        return asdict(self)


def per_sample(value: int, batch_size: int) -> int:
    return value // batch_size if value % batch_size == 0 else round(value / batch_size)


def per_sample_split(total: int, fixed: int, batch_size: int) -> int:
    """Per sample: the work on the batch divided by it, the batch-independent
    work (``fixed``) counted once — what a batch-1 forward does, as
    torchvision's published figures count."""
    return per_sample(total - fixed, batch_size) + fixed


def per_sample_macs(nodes, batch_size: int) -> int:
    """MACs per sample of ``nodes`` (``Node.fixed_macs`` counted once)."""
    return per_sample_split(sum(n.macs for n in nodes), sum(n.fixed_macs for n in nodes),
                            batch_size)


def _parameter_counts(root) -> dict[int, int] | None:
    """id(module) → parameters in it and below, summed bottom-up once (asking
    every module for its parameters walks each subtree again: quadratic in
    depth). None when some parameter or module is shared: then each module
    counts its own, shared ones once."""
    counts: dict[int, int] = {}

    def count(module) -> int:
        own = sum(p.numel() for p in module._parameters.values() if p is not None)
        total = own + sum(count(child) for child in module._modules.values()
                          if child is not None)
        counts[id(module)] = total
        return total

    if root is None:
        return None
    if count(root) != sum(p.numel() for p in root.parameters()):
        return None
    return counts


def _new_output_bytes(node: Node) -> int:
    return sum(t.nbytes for t in node.outputs if t.new_storage)


def layer_stats(graph: Graph) -> list[LayerStats]:
    """One record per call below the root, in call order."""
    layers = []
    batch = graph.batch_size
    counts = _parameter_counts(graph.nodes[0].module) if graph.nodes else None
    inclusive = _inclusive_sums(graph)
    for node in graph.nodes[1:]:
        macs, fixed_macs, activation = inclusive[node.id]
        if node.kind == "module" and node.module is not None:
            params = counts.get(id(node.module)) if counts is not None else None
            if params is None:  # shared parameters, or a module created inside forward
                params = sum(p.numel() for p in node.module.parameters())
        else:
            params = 0
        site = node.site
        layers.append(
            LayerStats(
                name=node.name,
                type=node.op,
                kind=node.kind,
                depth=node.depth,
                output_shape=list(node.outputs[0].shape) if node.outputs else None,
                output_shapes=[list(t.shape) for t in node.outputs],
                per_batch=[t.per_batch for t in node.outputs],
                params=params,
                macs=per_sample_split(macs, fixed_macs, batch),
                activation_bytes=per_sample(activation, batch),
                file=display_path(site.file) if site else None,
                line=site.line if site else None,
                error=node.error,
            )
        )
    return layers


def _inclusive_sums(graph: Graph) -> list[tuple[int, int, int]]:
    """Per node id: (MACs, batch-independent MACs, new activation bytes) of it
    and everything inside it, summed once bottom-up (summing each node's
    subtree again was quadratic in the depth of the nesting)."""
    sums: list = [None] * len(graph.nodes)
    for top in graph.nodes:
        if sums[top.id] is not None:
            continue
        stack = [(top, False)]
        while stack:  # iterative post-order: children are summed before their parent
            node, children_done = stack.pop()
            if not children_done:
                stack.append((node, True))
                stack.extend((graph.nodes[c], False) for c in node.children
                             if sums[c] is None)
                continue
            macs, fixed = node.macs, node.fixed_macs
            activation = _new_output_bytes(node) if node.in_op_graph else 0
            for child in node.children:
                child_macs, child_fixed, child_activation = sums[child]
                macs, fixed = macs + child_macs, fixed + child_fixed
                activation += child_activation
            sums[node.id] = (macs, fixed, activation)
    return sums


def totals(graph: Graph, model) -> Totals:
    batch = graph.batch_size
    params = list(model.parameters())
    n_params = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    by_op: dict[str, int] = {}
    fixed_by_op: dict[str, int] = {}
    for node in graph.nodes:
        for op, count in node.macs_by_op.items():
            by_op[op] = by_op.get(op, 0) + count
        for op, count in node.fixed_macs_by_op.items():
            fixed_by_op[op] = fixed_by_op.get(op, 0) + count
    activation = sum(_new_output_bytes(n) for n in graph.nodes if n.in_op_graph)
    macs = per_sample_macs(graph.nodes, batch)
    fixed = sum(n.fixed_macs for n in graph.nodes)
    return Totals(
        params=n_params,
        trainable_params=trainable,
        non_trainable_params=n_params - trainable,
        macs=macs,
        flops=2 * macs,
        fixed_macs=fixed,
        activation_bytes=per_sample(activation, batch),
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        buffer_bytes=sum(b.numel() * b.element_size() for b in model.buffers()),
        input_bytes=per_sample(sum(t.nbytes for t in graph.inputs), batch),
        macs_by_op={op: per_sample_split(v, fixed_by_op.get(op, 0), batch)
                    for op, v in sorted(by_op.items())},
    )


def attach_saved_bytes(layers: list[LayerStats], training_graph: Graph) -> None:
    """Per-layer bytes saved for backward, from the training-mode trace: calls
    are matched by name and order (training mode may call more, e.g.
    auxiliary heads; those have no row)."""
    batch = training_graph.batch_size
    saved: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for node in training_graph.nodes[1:]:
        index = seen.get(node.name, 0)
        seen[node.name] = index + 1
        saved[(node.name, index)] = sum(n.saved_bytes for n in training_graph.subtree(node))
    seen.clear()
    for layer in layers:
        index = seen.get(layer.name, 0)
        seen[layer.name] = index + 1
        value = saved.get((layer.name, index))
        layer.saved_bytes = per_sample(value, batch) if value is not None else None


def fold_to_depth(layers: list[LayerStats], depth: int | None) -> list[LayerStats]:
    """Rows down to ``depth`` (1 = the model's direct children, 0 = none);
    deeper rows are already included in their parents' inclusive counts.

    At the deepest level shown, a run of consecutive functional ops (a
    detection model's post-processing: thousands of index, view and cat
    calls at the top level) is folded into one row, as modules fold their
    insides."""
    if depth is None or depth < 0:
        return list(layers)
    kept = [layer for layer in layers if layer.depth <= depth]
    folded: list[LayerStats] = []
    run: list[LayerStats] = []
    for layer in kept + [None]:
        if layer is not None and layer.kind == "function" and layer.depth == depth:
            run.append(layer)
            continue
        folded.extend(run if len(run) < 2 else [_fold(run)])
        run = []
        if layer is not None:
            folded.append(layer)
    return folded


def _fold(run: list[LayerStats]) -> LayerStats:
    """One row for a run of functional ops: counts summed, the last output,
    the first op's place, the kinds of op named (most frequent first)."""
    kinds: dict[str, int] = {}
    for layer in run:
        kinds[layer.type] = kinds.get(layer.type, 0) + 1
    ordered = sorted(kinds.items(), key=lambda item: -item[1])
    described = ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in ordered[:3])
    first, last = run[0], run[-1]
    return LayerStats(
        name=f"({len(run)} ops)",
        type=described + (", …" if len(ordered) > 3 else ""),
        kind="function",
        depth=first.depth,
        output_shape=last.output_shape,
        params=0,
        macs=sum(layer.macs for layer in run),
        activation_bytes=sum(layer.activation_bytes for layer in run),
        file=first.file,
        line=first.line,
        error=next((layer.error for layer in run if layer.error), None),
        saved_bytes=None if first.saved_bytes is None else
        sum(layer.saved_bytes or 0 for layer in run),
        output_shapes=last.output_shapes,
        per_batch=last.per_batch,
        calls=len(run),
        receptive_field=last.receptive_field,
    )
