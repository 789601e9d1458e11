"""Walks along the dataflow, and what kind of layer a graph node is (the
kinds live in ``trace.kinds``, shared with the receptive-field pass): the
vocabulary rules are written in."""

from __future__ import annotations

from ..trace.graph import Graph, Node
from ..trace.kinds import (  # noqa: F401  (the rules' vocabulary, re-exported)
    ACTIVATION_FUNCTIONS,
    ACTIVATION_MODULES,
    ADD_FUNCTIONS,
    AVG_POOL_FUNCTIONS,
    AVG_POOL_MODULES,
    DROPOUT_FUNCTIONS,
    DROPOUT_MODULES,
    POOL_FUNCTIONS,
    POOL_MODULES,
    SCALE_FUNCTIONS,
    SOFTMAX_FUNCTIONS,
    VIEW_FUNCTIONS,
    ConvSpec,
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


def producer_of(graph: Graph, node: Node, index: int = 0) -> Node | None:
    if index >= len(node.inputs):
        return None
    return graph.producer(node.inputs[index])


def layer_params(node: Node) -> int:
    if node.kind != "module" or node.module is None:
        return 0
    return sum(p.numel() for p in node.module.parameters())


def per_sample_macs(graph: Graph, node: Node) -> int:
    """Per sample, as the summary counts a layer (batch-independent work once)."""
    from ..stats.layers import per_sample_macs as of_nodes

    return of_nodes(graph.subtree(node), graph.batch_size)


def first_conv(graph: Graph) -> Node | None:
    """The stem: the first convolution the input meets."""
    return next((n for n in graph.ops() if is_conv(n)), None)


def output_positions(node: Node) -> int:
    """Spatial positions of the first output, per sample (1 for vectors)."""
    shape = node.outputs[0].shape if node.outputs else ()
    positions = 1
    for d in shape[2:]:
        positions *= d
    return positions


def input_positions(node: Node) -> int:
    shape = node.inputs[0].shape if node.inputs else ()
    positions = 1
    for d in shape[2:]:
        positions *= d
    return positions
