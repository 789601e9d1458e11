"""The dataflow graph as the page draws it: the op graph (leaf-module calls and
functional ops) with the containers that hold them, and one edge per tensor
passed from op to op, labelled with its shape.

The page folds it to a depth (a container whose depth is the chosen one is one
box; expanding it shows what it holds), so the hierarchy is kept whole here and
the folding is the page's job: ``visible_nodes`` says, for tests and for the
default depth, which boxes a depth shows.
"""

from __future__ import annotations

from ..trace.graph import Graph

# Above this many boxes a layered drawing of a CNN (mostly a long chain) no
# longer fits a screen at a readable size: the default depth is the deepest one
# that stays under it (resnet18 opens at its 8 blocks, a 200-op timm model at
# its stages; a click opens a block, the depth menu all of them).
READABLE_NODES = 40


def graph_view(graph: Graph) -> dict:
    """Nodes (op-graph nodes and the containers above them, in call order) and
    edges between op-graph nodes; node ``id`` is the graph's node id, which is
    also the summary's row ``id - 1`` at every depth (``depth=None``)."""
    keep = _kept(graph)
    nodes = []
    for node in graph.nodes[1:]:
        if node.id not in keep:
            continue
        nodes.append({
            "id": node.id,
            "parent": node.parent if node.parent else None,  # None: the model itself
            "name": node.name,
            "type": node.op,
            "depth": node.depth,
            "op": node.in_op_graph,
            "join": _join(node),
        })
    edges, seen = [], set()
    for node in graph.nodes:
        if not node.in_op_graph:
            continue
        for tensor in node.inputs:
            source = tensor.producer if tensor.producer is not None else (
                "input" if tensor.origin == "input" else None)
            if source is None or (source, node.id) in seen:
                continue
            seen.add((source, node.id))
            edges.append({"from": source, "to": node.id, "shape": list(tensor.shape),
                          "per_batch": tensor.per_batch})
    for tensor in graph.outputs:
        if tensor.producer is not None and (tensor.producer, "output") not in seen:
            seen.add((tensor.producer, "output"))
            edges.append({"from": tensor.producer, "to": "output", "shape": list(tensor.shape),
                          "per_batch": tensor.per_batch})
    return {"nodes": nodes, "edges": edges}


def _kept(graph: Graph) -> set[int]:
    """Op-graph nodes and every module call above one."""
    keep: set[int] = set()
    for node in graph.nodes:
        if not node.in_op_graph:
            continue
        current = node
        while current is not None and current.id != 0 and current.id not in keep:
            keep.add(current.id)
            current = graph.nodes[current.parent] if current.parent is not None else None
    return keep


ADDS = {"add", "iadd", "add_", "radd"}
PRODUCTS = {"mul", "imul", "mul_", "rmul"}
CONCATENATIONS = {"cat", "concat", "concatenate", "stack"}


def _join(node) -> str | None:
    """"add" / "cat" / "mul" for a functional op that joins tensors from two
    or more places (a residual add, a concatenation, a gate), else None."""
    if node.kind != "function":
        return None
    base = node.op.rsplit(".", 1)[-1].strip("_")
    sources = {t.producer if t.producer is not None else t.origin for t in node.inputs
               if t.producer is not None or t.origin == "input"}
    if len(sources) < 2:
        return None
    if base in CONCATENATIONS:
        return "cat"
    if base in ADDS:
        return "add"
    if base in PRODUCTS:
        return "mul"
    return None


def visible_nodes(view: dict, depth: int) -> list[int]:
    """The boxes the page shows at ``depth`` with nothing expanded by hand:
    op-graph nodes at or above it, and the containers at it."""
    containers = {node["parent"] for node in view["nodes"]}
    return [node["id"] for node in view["nodes"] if node["depth"] == depth
            or (node["depth"] < depth and node["id"] not in containers)]


def default_depth(view: dict, limit: int = READABLE_NODES) -> int:
    """The deepest depth whose drawing has at most ``limit`` boxes (at least 1)."""
    deepest = max((node["depth"] for node in view["nodes"]), default=1)
    chosen = 1
    for depth in range(1, deepest + 1):
        if len(visible_nodes(view, depth)) <= limit:
            chosen = depth
        else:
            break
    return chosen
