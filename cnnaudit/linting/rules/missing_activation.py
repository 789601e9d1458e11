"""Two spatial convolutions, or two Linears, with only linear ops between them.

## What it does
Walks back from each spatial (k×k, k > 1) convolution and each Linear through
ops that are linear maps — BatchNorm, dropout, reshapes, average pooling,
sums and concatenations, scaling — and reports when it reaches another layer
of the same kind without passing a nonlinearity, and every use of that
layer's output goes through the second one (an output also read by a skip
connection around the second layer, or returned, is needed as it is: the two
cannot be merged, as in LeViT's downsampling projection). A 1×1 convolution
on either side is a linear bottleneck (MobileNetV2), and a grouped or
depthwise one a factorization (Xception, ConvNeXt): both are fine.

## Why is this bad?
Two linear maps compose into one: the pair has the parameters and MACs of two
layers and the expressive power of one. Usually an activation was forgotten.

## Example
```python
x = self.bn1(self.conv1(x))
x = F.relu(self.bn2(self.conv2(x)))
```

## Use instead
```python
x = F.relu(self.bn1(self.conv1(x)))
x = F.relu(self.bn2(self.conv2(x)))
```
"""

from ..findings import Hit
from ..patterns import (
    ADD_FUNCTIONS,
    AVG_POOL_FUNCTIONS,
    AVG_POOL_MODULES,
    DROPOUT_MODULES,
    SCALE_FUNCTIONS,
    conv_spec,
    is_batchnorm,
    is_conv,
    is_dropout,
    is_linear,
    is_view,
    op_name,
)
from . import rule

MAX_VISITS = 32


def _is_linear_map(node) -> bool:
    """Ops that keep a composition of layers linear."""
    if is_batchnorm(node) or is_dropout(node) or is_view(node):
        return True
    if node.kind == "module":
        return node.op in AVG_POOL_MODULES or node.op in DROPOUT_MODULES
    name = op_name(node)
    if name in AVG_POOL_FUNCTIONS or name in ADD_FUNCTIONS or name in ("pad",):
        return True
    if name in SCALE_FUNCTIONS:
        # x * constant or x * parameter is linear in x; x * y (gating) is not.
        return sum(1 for t in node.inputs if t.origin == "node") <= 1
    return False


def _kind(node) -> str | None:
    if is_conv(node):
        spec = conv_spec(node)
        # Grouped and depthwise convolutions factor a convolution on purpose
        # (Xception, ConvNeXt): a full conv next to one is a factorization.
        return "conv" if spec is not None and spec.spatial and spec.groups == 1 else None
    if is_linear(node):
        return "linear"
    return None


def _linear_predecessor(graph, node, kind):
    """The same-kind layer reached through linear maps only, and the ops passed."""
    stack = [(t.producer, []) for t in node.inputs[:1] if t.producer is not None]
    visited = 0
    while stack and visited < MAX_VISITS:
        producer_id, path = stack.pop()
        visited += 1
        producer = graph.nodes[producer_id]
        found = _kind(producer)
        if found == kind:
            return producer, path
        if found is None and is_conv(producer):
            continue  # a 1×1 or grouped conv: a deliberate linear bottleneck or factorization
        if is_conv(producer) or is_linear(producer) or not _is_linear_map(producer):
            continue
        sources = [t.producer for t in producer.inputs if t.producer is not None]
        merge = op_name(producer) in ADD_FUNCTIONS and len(sources) > 1
        nonlinear = [merge and carries_nonlinearity(graph, source) for source in sources]
        for index, source in enumerate(sources):
            # A residual add or a concatenation whose other operand went through
            # an activation is not "two linear layers in a row" (LeViT's
            # proj → + → norm): the sum is no composition of the two layers.
            if any(flag for other, flag in enumerate(nonlinear) if other != index):
                continue
            stack.append((source, [*path, producer]))
    return None, []


def carries_nonlinearity(graph, producer_id: int) -> bool:
    """Does the tensor made by ``producer_id`` depend on the input through an
    activation (or any other non-linear op)? Walks up through layers and
    linear maps, at most ``4 × MAX_VISITS`` nodes."""
    stack, seen = [producer_id], set()
    while stack and len(seen) < 4 * MAX_VISITS:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        node = graph.nodes[current]
        if not (is_conv(node) or is_linear(node) or _is_linear_map(node)):
            return True
        stack.extend(t.producer for t in node.inputs if t.producer is not None)
    return False


def only_through(graph, earlier, path, node) -> bool:
    """Does every use of ``earlier``'s output go through ``path`` into
    ``node``? Only then do the two layers compose into one map: an output
    also read elsewhere (a residual add around the second layer, as LeViT's
    ``attn_downsample.proj`` feeding its MLP and the skip around it, or the
    model's own output) needs the first map's result, so they cannot merge."""
    chain = [earlier, *path]
    allowed = {n.id for n in chain} | {node.id}
    returned = {t.producer for t in graph.outputs}
    for member in chain:
        if member.id in returned:
            return False
        if any(consumer.id not in allowed for consumer in graph.consumers(member)):
            return False
    return True


@rule("CNA204", "missing-activation", "warning")
def check(ctx):
    graph = ctx.graph
    for node in graph.ops():
        kind = _kind(node)
        if kind is None:
            continue
        earlier, path = _linear_predecessor(graph, node, kind)
        if earlier is None or not only_through(graph, earlier, path, node):
            continue
        between = ", ".join(p.name for p in reversed(path)) or "nothing"
        yield Hit(
            node,
            f"{earlier.name} → {node.name} with only linear ops between ({between}): the two "
            f"{'convolutions' if kind == 'conv' else 'Linears'} compose into one linear map; "
            "add an activation",
            fix=f"F.relu(...) after {path[-1].name if path else earlier.name}",
        )
