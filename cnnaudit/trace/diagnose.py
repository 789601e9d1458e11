"""Turn a crash inside forward into one sentence a user can act on.

The tracer keeps the failing op, its inputs and the graph so far; here we
recognize the classic CNN faults among them (the Linear that receives the
wrong number of features, the BatchNorm or conv built for other channels, the
kernel larger than its input) and say them with their numbers.
"""

from __future__ import annotations

from math import prod

from ..load.sites import display_path, where
from .graph import Graph, Node, TensorInfo
from .kinds import is_conv


def _where(node: Node) -> str:
    return where(node.site)


def flattened_from(graph: Graph, tensor: TensorInfo) -> str:
    """``"= 32×10×10 after view at net.py:30"`` when ``tensor`` is a flattened map."""
    producer = graph.producer(tensor)
    hops = 0
    while producer is not None and hops < 4:
        for source in producer.inputs:
            if len(source.shape) >= 3:
                dims = "×".join(str(d) for d in source.shape[1:])
                op = producer.op.rsplit(".", 1)[-1]
                return f"{dims} of {list(source.shape)} after {op}{_where(producer)}"
        producer = graph.producer(producer.inputs[0]) if producer.inputs else None
        hops += 1
    return ""


def linear_mismatch(graph: Graph, node: Node) -> tuple[int, int, str] | None:
    """(expected in_features, received features, where they come from)."""
    module = node.module
    expected = getattr(module, "in_features", None)
    if expected is None or not node.inputs:
        return None
    received = node.inputs[0].shape[-1] if node.inputs[0].shape else None
    if received is None or received == expected:
        return None
    return expected, received, flattened_from(graph, node.inputs[0])


def unflattened_map(node: Node) -> tuple[tuple, int] | None:
    """(the map's shape, its features per sample) when a Linear with the wrong
    ``in_features`` receives a conv map that nobody flattened: [N, C, H, W]
    (or [N, C, L] whose C×L is what the layer expects). A Linear works on the
    last dimension only, so the fix is a flatten, not another in_features."""
    if not node.inputs or getattr(node.module, "in_features", None) is None:
        return None
    shape = node.inputs[0].shape
    features = prod(shape[1:]) if len(shape) >= 3 else None
    if features is None or shape[-1] == node.module.in_features:
        return None
    if len(shape) >= 4 or features == node.module.in_features:
        return tuple(shape), features
    return None


def unflattened_message(node: Node, shape: tuple, features: int) -> tuple[str, str]:
    """(message, fix) for a Linear that receives an unflattened map."""
    expected = node.module.in_features
    dims = "×".join(str(d) for d in shape[1:])
    received = f"{node.name} receives a {['N', *shape[1:]]} map".replace("'", "")
    call = f" (the call{where(node.call_site)})" if node.call_site else ""
    if features == expected:
        return (f"{received}: flatten it first — {dims} = {features:,} matches in_features",
                f"x = torch.flatten(x, 1) before {node.name}{call}")
    return (f"{received}: flatten it first ({dims} = {features:,} features), and build it "
            f"with in_features={features} (it has {expected:,})",
            f"x = torch.flatten(x, 1) before {node.name}{call}; "
            f"nn.Linear({features}, {node.module.out_features})")


def channel_mismatch(node: Node) -> tuple[str, int, int] | None:
    """(what the layer was built for, expected channels, received channels)."""
    module = node.module
    if not node.inputs or len(node.inputs[0].shape) < 2:
        return None
    received = node.inputs[0].shape[1]
    for attribute, label in (("num_features", "num_features"), ("in_channels", "in_channels")):
        expected = getattr(module, attribute, None)
        if isinstance(expected, int) and expected != received:
            return label, expected, received
    return None


def kernel_too_large(node: Node) -> tuple[tuple, tuple] | None:
    """(kernel extent, padded input extent) when a window does not fit."""
    module = node.module
    kernel = getattr(module, "kernel_size", None)
    if kernel is None or not node.inputs:
        return None
    spatial = node.inputs[0].shape[2:]
    if isinstance(kernel, int):
        kernel = (kernel,) * len(spatial)
    padding = getattr(module, "padding", 0)
    if isinstance(padding, str):
        return None
    if isinstance(padding, int):
        padding = (padding,) * len(spatial)
    dilation = getattr(module, "dilation", 1)
    if isinstance(dilation, int):
        dilation = (dilation,) * len(spatial)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = tuple(s + 2 * p for s, p in zip(spatial, padding))
    if any(e > s for e, s in zip(extent, padded)):
        return extent, padded
    return None


def describe_failure(graph: Graph) -> str | None:
    failure = graph.failure
    if failure is None:
        return None
    node = graph.nodes[failure.node] if failure.node is not None else None
    # A failure inside a container is about the innermost module that was running.
    if node is not None and node.module is not None:
        label = f"{node.name or node.op} ({node.op}{_where(node)})"
        unflattened = unflattened_map(node)
        if unflattened:
            message, fix = unflattened_message(node, *unflattened)
            return f"{message}{_where(node)}; {fix}"
        mismatch = linear_mismatch(graph, node)
        if mismatch:
            expected, received, origin = mismatch
            origin = f" ({origin})" if origin else ""
            return (
                f"{label} expects {expected} input features but receives {received}{origin}; "
                f"build it with in_features={received}"
            )
        channels = channel_mismatch(node)
        if channels:
            attribute, expected, received = channels
            return (
                f"{label} is built for {expected} channels but receives {received}; "
                f"build it with {attribute}={received}"
            )
        too_large = kernel_too_large(node)
        if too_large:
            extent, padded = too_large
            return (
                f"{label} has a {'×'.join(map(str, extent))} window but its (padded) input is "
                f"only {'×'.join(map(str, padded))}: the feature map has collapsed"
            )
    where = ""
    if failure.site is not None:
        where = f" at {display_path(failure.site.file)}:{failure.site.line}"
    subject = f"{node.name or node.op} ({node.op})" if node is not None else "forward"
    shapes = ""
    if node is not None and node.inputs:
        shapes = " with inputs " + ", ".join(str(list(t.shape)) for t in node.inputs[:3])
    return f"{subject} failed{where}{shapes}: {failure.exc_type}: {failure.message}"


def elements(shape) -> int:
    return prod(shape)


def view_size_mismatch(graph: Graph, node: Node) -> tuple[int, int, str] | None:
    """A failed ``view(-1, N)``/``reshape``: (N, the features per sample, C×H×W)."""
    if node.kind != "function" or node.error is None or not node.inputs:
        return None
    if node.op.rsplit(".", 1)[-1] not in ("view", "reshape"):
        return None
    if "invalid for input" not in node.error:
        return None
    shape = node.inputs[0].shape
    sizes = [v for k, v in node.args.items() if isinstance(v, int) and k != "0"]
    sizes += [x for v in node.args.values() if isinstance(v, list) for x in v if isinstance(x, int)]
    fixed = [s for s in sizes if s > 0]
    if not fixed:
        return None
    features = elements(shape[1:])
    return fixed[-1], features, "×".join(str(d) for d in shape[1:])


def failure_explained_by_rules(graph: Graph) -> bool:
    """Is the crash one that a specific error rule (CNA101/103/104) reports?"""
    failure = graph.failure
    if failure is None or failure.node is None:
        return False
    node = graph.nodes[failure.node]
    if node.module is not None:
        return bool(linear_mismatch(graph, node) or channel_mismatch(node)
                    or kernel_too_large(node))
    return view_size_mismatch(graph, node) is not None


def input_rank_mismatch(graph: Graph) -> str | None:
    """When the model's input itself reaches a convolution with the wrong
    number of dimensions (``3,H,W`` for a Conv3d), that is the input size's
    fault, not the model's: what the layer takes, in ``--input-size`` terms.
    None for any other failure."""
    from .infer import layout_hint

    failure = graph.failure
    if failure is None or failure.node is None:
        return None
    node = graph.nodes[failure.node]
    if node.kind != "module" or not is_conv(node) or not node.inputs:
        return None
    module = node.module
    received = node.inputs[0]
    spatial = len(module.kernel_size)
    if received.origin != "input" or len(received.shape) == spatial + 2:
        return None
    given = ",".join(str(d) for d in received.shape[1:])
    return (f"--input-size {given} has {len(received.shape) - 1} dimensions, but the model's "
            f"input goes to {node.name} ({node.op}{_where(node)}), which takes "
            f"{spatial + 1}: pass --input-size {layout_hint(module.in_channels, spatial)}")
