"""The state of one trace: the node stack, what is known of each tensor
(which node made it, or whether it is an input, a parameter or a constant),
MACs and bytes saved for backward per node, and the innermost failure."""

from __future__ import annotations

from collections import Counter

from ..errors import one_line
from ..load.sites import caller_site
from . import counting
from .arguments import bound_arguments, function_label, tensor_leaves
from .autocast import autocast_arguments
from .failure import caused_by, is_meta_limitation, traceback_site
from .fast_meta import answer
from .graph import Failure, Node, TensorInfo

# Tensor API calls that are metadata or host access, not dataflow.
_NOT_OPS = {
    "__get__", "__set__", "__setitem__", "__delitem__", "size", "dim", "numel", "__len__",
    "__bool__", "item", "tolist", "__format__", "__repr__", "__str__", "requires_grad_",
    "register_hook", "data_ptr", "element_size", "stride", "is_contiguous", "__contains__",
    "__hash__", "__iter__", "__reduce_ex__", "__deepcopy__", "storage_offset", "untyped_storage",
    "is_floating_point", "is_complex", "get_device", "__array__", "__index__", "__int__",
    "__float__", "dim_order", "nelement", "ndimension", "_is_view", "is_leaf", "retain_grad",
}

_DTYPE_NAMES: dict = {}  # torch.float32 → "float32"


# Ops that can give a tensor the batch's size without reading the batch
# (besides factories, which have no tensor inputs at all).
_BATCH_MAKERS = {"expand", "repeat", "repeat_interleave", "new_empty", "new_zeros", "new_ones",
                 "new_full", "tile", "broadcast_to"}


class Recorder:
    """The state of one trace: the node stack and what is known of each tensor."""

    fast_meta = True  # answer shape-preserving meta ops without running them (fast_meta)
    calling = None  # the name of the torch function running now (for aten op names)

    def __init__(self, torch, modules, sites, batch_size, amp_dtype):
        """``modules``: the model's ``named_modules(remove_duplicate=False)``."""
        self.torch = torch
        self.nodes: list[Node] = []
        self.stack: list[Node] = []
        self.names: dict[int, str] = {}
        for name, module in modules:
            self.names.setdefault(id(module), name)
        self.open_leaves = 0  # leaf-module calls on the stack (ops inside are their own)
        self.sites = sites or {}
        self.batch_size = batch_size
        # Storages whose values depend on the input batch; weak keys, so a
        # freed storage's address cannot be mistaken for a new one.
        from torch.utils.weak import WeakIdKeyDictionary

        self.batch_storages = WeakIdKeyDictionary()
        self.call_counts: dict[int, int] = {}
        self.function_counts: Counter = Counter()
        # id(tensor) → (tensor, producer node id). Tensors are held until the
        # trace ends so that ids are not reused.
        self.tensors: dict[int, tuple[object, int | None]] = {}
        self.input_ids: set[int] = set()
        # Parameters, buffers and the input batch are accounted for elsewhere
        # in the training-memory estimate, so saving them costs no extra memory.
        self.frozen_storages: set[int] = set()
        self.output_storages: set[int] = set()
        self.parameter_storages: set[int] = set()  # parameters only
        self.used_storages: set[int] = set()  # parameters some aten op read
        self.saved_storages: set[int] = set()
        self.saved_bytes = 0
        self.weight_cast_storages: set[int] = set()  # autocast's copies of parameters
        self.weight_casts: list = []  # ... kept alive, so their storage keys are not reused
        self.saved_weight_cast_bytes = 0
        self.uncounted: Counter = Counter()
        self.failed: tuple[BaseException, Node] | None = None
        self.amp_dtype = amp_dtype

    # -- tensors ------------------------------------------------------------

    def storage_key(self, tensor) -> int:
        try:
            return tensor.untyped_storage()._cdata
        except Exception:  # sparse, nested or otherwise storage-less tensors
            return id(tensor)

    def info(self, tensor, producer: Node | None = None) -> TensorInfo:
        storage = self.storage_key(tensor)
        nbytes = tensor.numel() * tensor.element_size()
        dtype = _DTYPE_NAMES.get(tensor.dtype)
        if dtype is None:
            dtype = _DTYPE_NAMES[tensor.dtype] = str(tensor.dtype).replace("torch.", "")
        if producer is not None:
            self.tensors[id(tensor)] = (tensor, producer.id)
            new = storage not in self.output_storages
            self.output_storages.add(storage)
            return TensorInfo(tuple(tensor.shape), dtype, nbytes, producer.id, "node", storage, new,
                              self.is_per_batch(tensor))
        entry = self.tensors.get(id(tensor))
        producer_id = entry[1] if entry is not None and entry[0] is tensor else None
        if producer_id is not None:
            origin = "node"
        elif id(tensor) in self.input_ids:
            origin = "input"
        elif storage in self.frozen_storages:
            origin = "parameter"
        else:
            origin = "constant"
        return TensorInfo(tuple(tensor.shape), dtype, nbytes, producer_id, origin, storage, False,
                          self.is_per_batch(tensor))

    # -- nodes --------------------------------------------------------------

    def _inside_leaf(self) -> bool:
        return self.open_leaves > 0

    def _attach(self, node: Node) -> None:
        node.id = len(self.nodes)
        self.nodes.append(node)
        if node.parent is not None:
            self.nodes[node.parent].children.append(node.id)

    def pre_hook(self, module, args):
        torch = self.torch
        parent = self.stack[-1] if self.stack else None
        key = id(module)
        name = self.names.get(key)
        if name is None:  # a module created inside forward, not an attribute of the model
            name = f"{parent.name + '.' if parent and parent.name else ''}<{type(module).__name__}>"
        # The root is never a leaf: a model without submodules is all functional ops.
        # (module._modules read directly: torch's children() is a generator with a memo)
        leaf = parent is not None and all(child is None for child in module._modules.values())
        call_index = self.call_counts.get(key, 0)
        self.call_counts[key] = call_index + 1
        node = Node(
            id=-1,
            kind="module",
            op=type(module).__name__,
            name=name,
            scope=parent.name if parent else "",
            parent=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            inputs=[self.info(t) for t in tensor_leaves(args, torch)],
            call_site=caller_site(1) if parent else None,
            defined_at=self.sites.get(name),
            module=module,
            leaf=leaf,
            call_index=call_index,
        )
        node.in_op_graph = leaf and not self._inside_leaf()
        self._attach(node)
        self.stack.append(node)
        self.open_leaves += leaf

    def post_hook(self, module, args, output):
        while self.stack:
            node = self.stack.pop()
            self.open_leaves -= node.leaf
            if node.module is module:
                producer = node if node.in_op_graph else None
                node.outputs = [self.info(t, producer) for t in tensor_leaves(output, self.torch)]
                return
            node.error = node.error or "did not return (an exception was caught inside forward)"

    def call_function(self, func, args, kwargs):
        torch = self.torch
        if self.amp_dtype is not None:
            cast_args, cast_kwargs = autocast_arguments(torch, func, args, kwargs,
                                                        self.amp_dtype)
            self._note_weight_casts((args, kwargs), (cast_args, cast_kwargs))
            args, kwargs = cast_args, cast_kwargs
        name = getattr(func, "__name__", "")
        if name in _NOT_OPS or self._inside_leaf():
            try:
                return self._run(func, name, args, kwargs)
            except Exception as exc:
                self._note_failure(exc, self.stack[-1] if self.stack else None)
                raise
        in_tensors = tensor_leaves(args, torch) + tensor_leaves(kwargs, torch)
        if not in_tensors:
            return func(*args, **kwargs)  # a factory (torch.zeros) or scalar helper
        parent = self.stack[-1] if self.stack else None
        scope = parent.name if parent else ""
        node = Node(
            id=-1,
            kind="function",
            op=function_label(func),
            name="",
            scope=scope,
            parent=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            inputs=[self.info(t) for t in in_tensors],
            args=bound_arguments(func, args, kwargs),
            call_site=caller_site(2),
            in_op_graph=True,
        )
        self.stack.append(node)
        try:
            out = self._run(func, name, args, kwargs)
        except Exception as exc:
            self.stack.pop()
            self._name_and_attach(node)
            node.error = one_line(exc)
            self._note_failure(exc, node)
            raise
        self.stack.pop()
        out_tensors = tensor_leaves(out, torch)
        if out_tensors:
            self._name_and_attach(node)
            node.outputs = [self.info(t, node) for t in out_tensors]
        elif parent is not None:  # no tensor came out: fold what it counted into the caller
            parent.macs += node.macs
            parent.fixed_macs += node.fixed_macs  # so that the caller's split stays right
            parent.saved_bytes += node.saved_bytes
        return out

    def _run(self, func, name, args, kwargs):
        """``func(*args, **kwargs)``, or its known result without running it
        (fast_meta), accounted for as the aten op would have been."""
        fast = None
        if self.fast_meta:
            # The answer's own ``torch.empty`` is not the model's op: it must
            # not pass through the dispatch mode (counted, batch-followed).
            with self.torch._C._DisableTorchDispatch():
                fast = answer(self.torch, name, args, kwargs)
        if fast is None:
            outer, self.calling = self.calling, name
            try:
                return func(*args, **kwargs)
            finally:
                self.calling = outer
        result, ops = fast
        self._note_parameters_read(tensor_leaves((args, kwargs), self.torch))
        per_batch = self._follow_batch(func, args, kwargs, result)  # marks it when an input is
        for aten, macs in ops:
            self._tally(aten, macs, per_batch)
        return result

    def _note_weight_casts(self, args, cast_args) -> None:
        for before, after in zip(tensor_leaves(args, self.torch),
                                 tensor_leaves(cast_args, self.torch)):
            if after is not before and self.storage_key(before) in self.parameter_storages:
                self.weight_cast_storages.add(self.storage_key(after))
                self.weight_casts.append(after)

    def _name_and_attach(self, node: Node) -> None:
        base = node.op.rsplit(".", 1)[-1]
        base = base.strip("_") if base.startswith("__") else base
        key = (node.scope, base)
        index = self.function_counts[key]
        self.function_counts[key] += 1
        label = base if index == 0 else f"{base}_{index}"
        node.name = f"{node.scope}.{label}" if node.scope else label
        self._attach(node)

    def _note_failure(self, exc: BaseException, node: Node | None) -> None:
        # Keep the innermost record: the same exception (or one raised from it)
        # passing through outer ops must not overwrite it.
        if self.failed is None or not caused_by(exc, self.failed[0]):
            self.failed = (exc, node)

    # -- counting -----------------------------------------------------------

    def _note_parameters_read(self, tensors) -> None:
        for tensor in tensors:
            key = self.storage_key(tensor)
            if key in self.parameter_storages:
                self.used_storages.add(key)

    def count(self, func, args, kwargs, out) -> None:
        self._note_parameters_read(v for v in args if isinstance(v, self.torch.Tensor))
        per_batch = self._follow_batch(func, args, kwargs, out)
        name, macs = counting.count(func, args, kwargs, out)
        self._tally(name, macs, per_batch)

    def _tally(self, name: str, macs: int | None, per_batch: bool) -> None:
        """Book one aten op: not counted (no formula), or its MACs on the node
        running now, apart when they do not grow with the batch."""
        if macs is None:
            self.uncounted[self._as_called(name)] += 1
        elif macs and self.stack:
            node = self.stack[-1]
            node.macs += macs
            if not per_batch:
                node.fixed_macs += macs
                node.fixed_macs_by_op[name] = node.fixed_macs_by_op.get(name, 0) + macs
            node.macs_by_op[name] = node.macs_by_op.get(name, 0) + macs

    def _as_called(self, aten: str) -> str:
        """1-D pooling runs as its 2-D kernel on an unsqueezed map
        (``avg_pool1d`` → ``aten::avg_pool2d``): name it as the model called it."""
        called = self.calling
        if called and called.endswith("1d") and "2d" in aten \
                and aten.split("::")[-1].startswith(called[:-2]):
            return f"aten::{called}"
        return aten

    def mark_batch(self, tensors) -> None:
        for tensor in tensors:
            try:
                self.batch_storages[tensor.untyped_storage()] = True
            except Exception:  # storage-less tensors
                pass

    def is_per_batch(self, tensor) -> bool:
        try:
            return tensor.untyped_storage() in self.batch_storages
        except Exception:  # storage-less tensors
            return False

    def _follow_batch(self, func, args, kwargs, out) -> bool:
        """Does this aten op work on the batch? Yes when an input depends on
        the model's input, or when it makes a batch-sized tensor out of none
        (``zeros(B, ...)``, ``cls_token.expand(B, ...)``); its outputs then
        depend on the batch too. A coincidence of sizes only errs towards
        "per batch", the count every other tool uses."""
        torch = self.torch
        inputs = tensor_leaves((args, kwargs), torch)
        outputs = tensor_leaves(out, torch)
        per_batch = any(self.is_per_batch(tensor) for tensor in inputs)
        if not per_batch and (not inputs or _BATCH_MAKERS.intersection(
                counting.op_name(func).split("::")[-1].split("."))):
            batch = self.batch_size
            per_batch = any(t.dim() and t.shape[0] == batch for t in outputs)
        if per_batch:
            self.mark_batch(outputs)
        return per_batch

    def pack_saved(self, tensor):
        storage = self.storage_key(tensor)
        if storage not in self.frozen_storages and storage not in self.saved_storages:
            self.saved_storages.add(storage)
            try:
                nbytes = tensor.untyped_storage().nbytes()
            except Exception:
                nbytes = tensor.numel() * tensor.element_size()
            if storage in self.weight_cast_storages:  # not per sample: kept apart
                self.saved_weight_cast_bytes += nbytes
                if self.stack:
                    self.stack[-1].saved_weight_cast_bytes += nbytes
                return tensor
            self.saved_bytes += nbytes
            if self.stack:
                self.stack[-1].saved_bytes += nbytes
        return tensor

    # -- the end ------------------------------------------------------------

    def failure(self, exc: BaseException) -> Failure:
        node = None
        if self.failed is not None and (self.failed[0] is exc or caused_by(exc, self.failed[0])):
            node = self.failed[1]
        if node is None and self.stack:
            node = self.stack[-1]
        for open_node in self.stack:
            open_node.error = open_node.error or "did not return"
        if node is not None and node.kind == "module":
            node.error = one_line(exc)
        self.stack.clear()
        self.open_leaves = 0
        return Failure(
            node=node.id if node is not None and node.id >= 0 else None,
            exc_type=type(exc).__name__,
            message=one_line(exc, with_type=False),
            site=traceback_site(exc),
            meta_limitation=is_meta_limitation(exc),
        )
