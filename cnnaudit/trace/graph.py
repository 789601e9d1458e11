"""The traced dataflow graph: the one structure that stats and rules read.

A node is a module call or a functional op (``F.relu``, ``view``, ``cat``,
``+`` ...). Nodes nest: a container's call holds its children's. The *op
graph* is the level rules reason about: leaf-module calls and the functional
ops written in non-leaf forwards (the ops inside ``nn.Conv2d.forward`` are the
module's implementation, not the user's graph). Every tensor an op-graph node
consumes names the op-graph node that produced it, so "what feeds this
BatchNorm" is one lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..load.sites import Site


@dataclass
class TensorInfo:
    shape: tuple[int, ...]
    dtype: str
    nbytes: int
    producer: int | None = None  # op-graph node id; None for inputs, parameters, constants
    origin: str = "node"  # "node" | "input" | "parameter" | "constant"
    storage: int = 0  # storage identity: views and in-place results share it
    new_storage: bool = True  # first time this storage appears as an output
    # grows with the batch (made from the model's input, or batch-sized): its
    # first dimension is the batch, at the trace's batch size
    per_batch: bool = False

    def to_dict(self) -> dict:
        return {"shape": list(self.shape), "dtype": self.dtype}


@dataclass
class Node:
    id: int
    kind: str  # "module" | "function"
    op: str  # module class name ("Conv2d") or function ("F.relu", "Tensor.view", "torch.cat")
    name: str  # state_dict-style module name, or "<scope>.<op>[_k]" for a function
    scope: str  # name of the module whose forward made this call ("" = the root)
    parent: int | None
    depth: int  # 0 for the root call, 1 for its direct children, ...
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    args: dict = field(default_factory=dict)  # non-tensor arguments, for rules
    call_site: Site | None = None  # the forward line that made the call
    defined_at: Site | None = None  # where the module was constructed
    module: object = None  # the nn.Module (module nodes); not serialized
    leaf: bool = False  # a module without children
    in_op_graph: bool = False
    children: list[int] = field(default_factory=list)
    macs: int = 0  # counted in this node itself (not its children), whole batch
    # Of which work that does not depend on the batch (swin_v2's position-bias
    # MLP runs once per forward): counted once, never divided by the batch.
    fixed_macs: int = 0
    fixed_macs_by_op: dict[str, int] = field(default_factory=dict)
    macs_by_op: dict[str, int] = field(default_factory=dict)
    saved_bytes: int = 0  # bytes saved for backward while this node ran (self)
    saved_weight_cast_bytes: int = 0  # of which autocast's weight copies (not per sample)
    error: str | None = None
    call_index: int = 0  # >0 when the same module is called again

    @property
    def site(self) -> Site | None:
        """Where a finding about this node points: a module's construction,
        a function's call."""
        if self.kind == "module":
            return self.defined_at or self.call_site
        return self.call_site


@dataclass
class Failure:
    """A crash inside forward, kept as data."""

    node: int | None  # innermost node open when it happened
    exc_type: str
    message: str  # the exception's first line
    site: Site | None  # innermost user frame of the traceback
    meta_limitation: bool = False  # the op needs real values (``.item()`` on meta)


@dataclass
class Graph:
    nodes: list[Node]
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    batch_size: int
    device: str  # "meta" | "cpu" | "cuda"
    training: bool
    failure: Failure | None = None
    uncounted_ops: dict[str, int] = field(default_factory=dict)  # aten op → calls
    saved_bytes: int = 0  # whole batch, excluding parameters and buffers
    # Low-precision copies of parameters that autocast makes and autograd
    # saves: batch-independent, so never scaled with the batch.
    saved_weight_cast_bytes: int = 0
    unused_parameters: set[str] = field(default_factory=set)  # no aten op read them
    _consumers: dict[int, list[int]] | None = field(default=None, repr=False)

    @property
    def root(self) -> Node | None:
        return self.nodes[0] if self.nodes else None

    def ops(self) -> list[Node]:
        """The op graph in call order."""
        return [n for n in self.nodes if n.in_op_graph]

    def producer(self, tensor: TensorInfo) -> Node | None:
        return self.nodes[tensor.producer] if tensor.producer is not None else None

    def consumers(self, node: Node) -> list[Node]:
        """The op-graph nodes that read an output of ``node``, in call order."""
        if self._consumers is None:
            index: dict[int, list[int]] = {}
            for other in self.nodes:
                if other.in_op_graph:
                    for producer in {t.producer for t in other.inputs if t.producer is not None}:
                        index.setdefault(producer, []).append(other.id)
            self._consumers = index
        return [self.nodes[i] for i in self._consumers.get(node.id, [])]

    def subtree(self, node: Node) -> list[Node]:
        found, stack = [], [node.id]
        while stack:
            current = self.nodes[stack.pop()]
            found.append(current)
            stack.extend(reversed(current.children))
        return found
