"""What ``cnnaudit shrink`` needs to know of the user's model, read from its
traced graph: the input, the number of classes and what the output is (logits,
log-probabilities, probabilities), and the layers of a plain convolutional
classifier — convolutions, BatchNorm, activations, pooling, dropout, a flatten
and a linear head, one after the other.

A model it cannot rebuild faithfully (a residual add, a concatenation, a
branch, several inputs, an output that is not one score per class) is refused
with one line naming the construct at its file:line: never a half-rebuilt model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CnnauditError
from ..load import display_path
from ..trace.graph import Graph, Node
from ..trace.kinds import (
    ADD_FUNCTIONS,
    AVG_POOL_FUNCTIONS,
    AVG_POOL_MODULES,
    SCALE_FUNCTIONS,
    conv_spec,
    is_activation,
    is_batchnorm,
    is_conv,
    is_dropout,
    is_linear,
    is_softmax,
    is_view,
    op_name,
    pool_spec,
)

LOG_SOFTMAX = {"log_softmax", "LogSoftmax"}


@dataclass
class Architecture:
    """A plain convolutional classifier, as traced."""

    name: str
    input_shape: tuple[int, int, int]  # C, H, W
    classes: int
    output: str  # "logits" | "log_softmax" | "softmax"
    convs: list = field(default_factory=list)  # ConvSpec, in order
    downsamplings: int = 0  # pools and strided convolutions
    linears: list = field(default_factory=list)  # (in_features, out_features)
    flattened: tuple | None = None  # the C×H×W map the head flattens (None: pooled to 1×1)
    dropouts: list = field(default_factory=list)  # p of each dropout
    bias_before_norm: int = 0  # convolutions with a bias that BatchNorm cancels
    activation: str = "relu"


def read_architecture(graph: Graph, name: str) -> Architecture:
    """The architecture of a traced plain classifier, or one line (exit 2)
    naming what it cannot rebuild and where."""
    if graph.failure is not None:
        raise CnnauditError(f"{name}'s forward fails ({graph.failure.message}); shrink needs "
                            "a model that runs: `cnnaudit lint` says where it breaks")
    if len(graph.inputs) != 1 or len(graph.inputs[0].shape) != 4:
        shapes = " + ".join(str(list(t.shape[1:])) for t in graph.inputs)
        raise CnnauditError(f"{name} takes {shapes}: shrink rebuilds classifiers of one image "
                            "input (C×H×W)")
    ops = graph.ops()
    outputs = graph.outputs
    if len(outputs) != 1 or len(outputs[0].shape) != 2 or outputs[0].shape[0] != graph.batch_size:
        shapes = ", ".join(str(list(t.shape)) for t in outputs)
        raise _refuse(ops[-1] if ops else None,
                      f"an output that is not one score per class ({shapes} at batch "
                      f"{graph.batch_size})")
    _, channels, height, width = graph.inputs[0].shape
    arch = Architecture(name=name, input_shape=(channels, height, width),
                        classes=outputs[0].shape[1], output="logits")
    _refuse_joins(ops)
    previous = None
    last_conv = None
    for index, node in enumerate(ops):
        _check_chain(graph, node, previous)
        previous = node
        kind = op_name(node)
        if is_conv(node):
            spec = conv_spec(node)
            if spec is None or spec.transposed or len(spec.kernel) != 2:
                raise _refuse(node, f"a {node.op} (shrink rebuilds 2-D convolutions)")
            arch.convs.append(spec)
            arch.downsamplings += any(s > 1 for s in spec.stride)
            last_conv = spec
        elif is_batchnorm(node):
            if last_conv is not None and last_conv.bias and _follows_conv(graph, node):
                arch.bias_before_norm += 1
        elif is_activation(node):
            arch.activation = kind.lower().rstrip("_")
        elif node.op in AVG_POOL_MODULES or kind in AVG_POOL_FUNCTIONS or pool_spec(node):
            out = node.outputs[0].shape if node.outputs else ()
            arch.downsamplings += len(out) == 4 and out[2] < node.inputs[0].shape[2]
        elif is_dropout(node):
            module = node.module
            arch.dropouts.append(float(getattr(module, "p", node.args.get("p", 0.5)) or 0.5))
        elif is_view(node):
            shape = node.inputs[0].shape if node.inputs else ()
            if len(shape) == 4 and node.outputs and len(node.outputs[0].shape) == 2:
                arch.flattened = tuple(shape[1:])
        elif is_linear(node):
            features = node.inputs[1].shape if node.kind == "function" else None
            module = node.module
            arch.linears.append((module.in_features, module.out_features) if module is not None
                                else (features[1], features[0]))
        elif kind in LOG_SOFTMAX or is_softmax(node):
            if index != len(ops) - 1:
                raise _refuse(node, f"a {node.op} before the last layer")
            arch.output = "log_softmax" if kind in LOG_SOFTMAX else "softmax"
        else:
            raise _refuse(node, f"a {node.op} (shrink rebuilds conv/BatchNorm/activation/pool/"
                                "dropout stacks with a linear head)")
    if not arch.convs:
        raise CnnauditError(f"{name} has no convolution: shrink composes convolutional "
                            "classifiers")
    if arch.flattened is not None and arch.flattened[1:] == (1, 1):
        arch.flattened = None  # a globally pooled map: already a pooled head
    return arch


CONCATENATIONS = {"cat", "concat", "stack"}


def _refuse_joins(ops) -> None:
    """A residual add, a concatenation or a gate, named as such at its line
    (before the chain check would call it a branch)."""
    for node in ops:
        kind = op_name(node)
        if node.kind != "function" or kind not in ADD_FUNCTIONS | SCALE_FUNCTIONS:
            continue
        sources = {t.producer if t.producer is not None else t.origin for t in node.inputs
                   if t.producer is not None or t.origin == "input"}
        if len(sources) < 2:
            continue  # x * 2, x + bias: not a join
        if kind in CONCATENATIONS:
            raise _refuse(node, f"a concatenation ({node.op})")
        if kind in ADD_FUNCTIONS:
            raise _refuse(node, f"a residual add ({node.op})")
        raise _refuse(node, f"a product or gate ({node.op})")


def _check_chain(graph: Graph, node: Node, previous: Node | None) -> None:
    """Every op reads the one before it (the first reads the input): a branch
    (a tensor read twice, an op reading an earlier one) is not a plain stack."""
    produced = [t.producer for t in node.inputs if t.producer is not None]
    from_input = any(t.origin == "input" for t in node.inputs)
    expected = previous.id if previous is not None else None
    if previous is None:
        if produced or not from_input:
            raise _refuse(node, "a first layer that does not read the input")
        return
    if from_input or any(p != expected for p in produced) or not produced:
        raise _refuse(node, f"a branch: {node.name} reads "
                            + ("the input again" if from_input else "an earlier layer's output"))
    if len(graph.consumers(previous)) > 1:
        raise _refuse(previous, f"a branch: {previous.name}'s output is read twice")


def _follows_conv(graph: Graph, node: Node) -> bool:
    producer = graph.producer(node.inputs[0]) if node.inputs else None
    return producer is not None and is_conv(producer)


def _refuse(node: Node | None, construct: str) -> CnnauditError:
    site = node.site if node is not None else None
    return CnnauditError(f"{construct}: shrink rebuilds plain convolutional classifiers "
                         "(conv/BatchNorm/activation/pool/dropout stacks with a linear head) "
                         "and will not half-rebuild this one",
                         file=display_path(site.file) if site else None,
                         line=site.line if site else None)
