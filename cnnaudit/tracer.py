"""One forward pass, recorded as a dataflow graph (see ``graph.py``).

Three instruments run together, and all are removed when the pass ends, also
when forward raises:

- global module forward (pre-)hooks open and close a node per module call;
- a ``TorchFunctionMode`` records the functional ops the user wrote
  (``F.relu``, ``view``, ``+``) with their forward source line;
- a ``TorchDispatchMode`` sees the aten ops underneath and counts MACs
  (``counting.py``), so attention matmuls and ``einsum`` count too.

With ``record_saved`` it also runs in grad mode under saved-tensor hooks and
measures the bytes autograd keeps for backward. Parameters and buffers are
substituted through ``torch.func.functional_call`` (meta copies on meta, clones
of buffers on real devices), so the user's module is never changed: no hooks,
no moved weights, no updated BatchNorm statistics, training flags restored.
"""

from __future__ import annotations

import inspect
import traceback
from collections import Counter
from contextlib import contextmanager, nullcontext
from functools import lru_cache

from . import counting
from .graph import Failure, Graph, Node, TensorInfo
from .sites import Site, caller_site, is_internal_file, is_library_file

# Tensor API calls that are metadata or host access, not dataflow.
_NOT_OPS = {
    "__get__", "__set__", "__setitem__", "__delitem__", "size", "dim", "numel", "__len__",
    "__bool__", "item", "tolist", "__format__", "__repr__", "__str__", "requires_grad_",
    "register_hook", "data_ptr", "element_size", "stride", "is_contiguous", "__contains__",
    "__hash__", "__iter__", "__reduce_ex__", "__deepcopy__", "storage_offset", "untyped_storage",
    "is_floating_point", "is_complex", "get_device", "__array__", "__index__", "__int__",
    "__float__", "dim_order", "nelement", "ndimension", "_is_view", "is_leaf", "retain_grad",
}

_ARG_TYPES = (int, float, bool, str, type(None))


def _tensor_leaves(value, torch) -> list:
    found = []
    if isinstance(value, torch.Tensor):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(_tensor_leaves(item, torch))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(_tensor_leaves(item, torch))
    return found


def _plain(value):
    """Non-tensor argument values kept for rules: scalars and tuples of them."""
    if isinstance(value, _ARG_TYPES):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, _ARG_TYPES) for v in value):
        return list(value)
    if hasattr(value, "is_floating_point"):  # a tensor
        return "<tensor>"
    return repr(value) if len(repr(value)) < 60 else type(value).__name__


def function_label(func) -> str:
    """``F.relu``, ``Tensor.view``, ``torch.cat``: how a user would write it."""
    name = getattr(func, "__name__", str(func))
    module = getattr(func, "__module__", None) or ""
    qualname = getattr(func, "__qualname__", "") or ""
    if module == "torch.nn.functional":
        return f"F.{name}"
    if qualname.startswith(("TensorBase.", "Tensor.")) or module == "torch._tensor":
        return f"Tensor.{name}"
    if module.startswith("torch.nn.functional"):
        return f"F.{name}"
    if module.startswith("torch") or not module:
        return f"torch.{name}"
    return f"{module}.{name}"


_SIGNATURES: dict = {}


def _bound_arguments(func, args, kwargs) -> dict:
    """Non-tensor arguments by name, defaults applied where the signature is
    known (``F.dropout(x, 0.5)`` is recorded with ``training=True``)."""
    signature = _SIGNATURES.get(func, False)
    if signature is False:
        try:
            signature = inspect.signature(func)
        except (TypeError, ValueError):
            signature = None
        _SIGNATURES[func] = signature
    if signature is not None:
        try:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return {k: _plain(v) for k, v in bound.arguments.items()}
        except TypeError:
            pass
    plain = {str(i): _plain(v) for i, v in enumerate(args)}
    plain.update({k: _plain(v) for k, v in kwargs.items()})
    return plain


class _Recorder:
    """The state of one trace: the node stack and what is known of each tensor."""

    def __init__(self, torch, model, sites, batch_size, amp_dtype):
        self.torch = torch
        self.nodes: list[Node] = []
        self.stack: list[Node] = []
        self.names: dict[int, str] = {}
        for name, module in model.named_modules(remove_duplicate=False):
            self.names.setdefault(id(module), name)
        self.sites = sites or {}
        self.batch_size = batch_size
        self.call_counts: Counter = Counter()
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
        dtype = str(tensor.dtype).replace("torch.", "")
        if producer is not None:
            self.tensors[id(tensor)] = (tensor, producer.id)
            new = storage not in self.output_storages
            self.output_storages.add(storage)
            return TensorInfo(tuple(tensor.shape), dtype, nbytes, producer.id, "node", storage, new)
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
        return TensorInfo(tuple(tensor.shape), dtype, nbytes, producer_id, origin, storage, False)

    # -- nodes --------------------------------------------------------------

    def _inside_leaf(self) -> bool:
        return any(n.kind == "module" and n.leaf for n in self.stack)

    def _attach(self, node: Node) -> None:
        node.id = len(self.nodes)
        self.nodes.append(node)
        if node.parent is not None:
            self.nodes[node.parent].children.append(node.id)

    def pre_hook(self, module, args):
        torch = self.torch
        parent = self.stack[-1] if self.stack else None
        name = self.names.get(id(module))
        if name is None:  # a module created inside forward, not an attribute of the model
            name = f"{parent.name + '.' if parent and parent.name else ''}<{type(module).__name__}>"
        # The root is never a leaf: a model without submodules is all functional ops.
        leaf = parent is not None and next(iter(module.children()), None) is None
        call_index = self.call_counts[id(module)]
        self.call_counts[id(module)] += 1
        node = Node(
            id=-1,
            kind="module",
            op=type(module).__name__,
            name=name,
            scope=parent.name if parent else "",
            parent=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            inputs=[self.info(t) for t in _tensor_leaves(args, torch)],
            call_site=caller_site(1) if parent else None,
            defined_at=self.sites.get(name),
            module=module,
            leaf=leaf,
            call_index=call_index,
        )
        node.in_op_graph = leaf and not self._inside_leaf()
        self._attach(node)
        self.stack.append(node)

    def post_hook(self, module, args, output):
        while self.stack:
            node = self.stack.pop()
            if node.module is module:
                producer = node if node.in_op_graph else None
                node.outputs = [self.info(t, producer) for t in _tensor_leaves(output, self.torch)]
                return
            node.error = node.error or "did not return (an exception was caught inside forward)"

    def call_function(self, func, args, kwargs):
        torch = self.torch
        if self.amp_dtype is not None:
            args, kwargs = _autocast_arguments(torch, func, args, kwargs, self.amp_dtype)
        name = getattr(func, "__name__", "")
        if name in _NOT_OPS or self._inside_leaf():
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                self._note_failure(exc, self.stack[-1] if self.stack else None)
                raise
        in_tensors = _tensor_leaves(args, torch) + _tensor_leaves(kwargs, torch)
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
            args=_bound_arguments(func, args, kwargs),
            call_site=caller_site(2),
            in_op_graph=True,
        )
        self.stack.append(node)
        try:
            out = func(*args, **kwargs)
        except Exception as exc:
            self.stack.pop()
            self._name_and_attach(node)
            node.error = _one_line(exc)
            self._note_failure(exc, node)
            raise
        self.stack.pop()
        out_tensors = _tensor_leaves(out, torch)
        if out_tensors:
            self._name_and_attach(node)
            node.outputs = [self.info(t, node) for t in out_tensors]
        elif parent is not None:  # no tensor came out: fold what it counted into the caller
            parent.macs += node.macs
            parent.saved_bytes += node.saved_bytes
        return out

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
        if self.failed is None or not _caused_by(exc, self.failed[0]):
            self.failed = (exc, node)

    # -- counting -----------------------------------------------------------

    def count(self, func, args, kwargs, out) -> None:
        for value in args:
            if isinstance(value, self.torch.Tensor):
                key = self.storage_key(value)
                if key in self.parameter_storages:
                    self.used_storages.add(key)
        name, macs = counting.count(func, args, kwargs, out)
        if macs is None:
            self.uncounted[name] += 1
        elif macs and self.stack:
            node = self.stack[-1]
            node.macs += macs
            node.macs_by_op[name] = node.macs_by_op.get(name, 0) + macs

    def pack_saved(self, tensor):
        storage = self.storage_key(tensor)
        if storage not in self.frozen_storages and storage not in self.saved_storages:
            self.saved_storages.add(storage)
            try:
                nbytes = tensor.untyped_storage().nbytes()
            except Exception:
                nbytes = tensor.numel() * tensor.element_size()
            self.saved_bytes += nbytes
            if self.stack:
                self.stack[-1].saved_bytes += nbytes
        return tensor

    # -- the end ------------------------------------------------------------

    def failure(self, exc: BaseException) -> Failure:
        node = None
        if self.failed is not None and (self.failed[0] is exc or _caused_by(exc, self.failed[0])):
            node = self.failed[1]
        if node is None and self.stack:
            node = self.stack[-1]
        for open_node in self.stack:
            open_node.error = open_node.error or "did not return"
        if node is not None and node.kind == "module":
            node.error = _one_line(exc)
        self.stack.clear()
        return Failure(
            node=node.id if node is not None and node.id >= 0 else None,
            exc_type=type(exc).__name__,
            message=_one_line(exc, with_type=False),
            site=_traceback_site(exc),
            meta_limitation=is_meta_limitation(exc),
        )


def _caused_by(exc: BaseException, earlier: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if seen is earlier:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _one_line(exc: BaseException, with_type: bool = True) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0].strip() if lines else ""
    if not with_type:
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_meta_limitation(exc: BaseException) -> bool:
    """Did forward fail because meta tensors carry no values, rather than
    because the model is wrong? (``.item()``, data-dependent shapes, a CPU
    tensor made inside forward meeting meta ones.)"""
    text = str(exc).lower()
    return isinstance(exc, NotImplementedError) or "meta" in text or "data-dependent" in text


def _traceback_site(exc: BaseException) -> Site | None:
    frames = traceback.extract_tb(exc.__traceback__)
    for accept in (lambda f: not is_library_file(f), lambda f: not is_internal_file(f)):
        for frame in reversed(frames):
            if accept(frame.filename):
                return Site(frame.filename, frame.lineno, (frame.colno or 0) + 1)
    return None


# Op lists after torch.amp's autocast policy: matrix products run in the low
# precision, numerically sensitive reductions in float32.
_AUTOCAST_LOW = {
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "linear", "matmul", "__matmul__", "__rmatmul__", "mm", "bmm", "addmm", "baddbmm", "addbmm",
    "einsum", "scaled_dot_product_attention", "prelu", "chain_matmul", "multi_dot",
}
_AUTOCAST_FLOAT32 = {
    "softmax", "log_softmax", "layer_norm", "group_norm", "cross_entropy", "nll_loss",
    "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss",
    "cosine_similarity",
    "exp", "log", "pow", "norm", "cumsum", "cumprod", "sum", "prod", "rsqrt",
}


def _autocast_arguments(torch, func, args, kwargs, low_dtype):
    """Emulate autocast: meta tensors get no Autocast dispatch key, so the casts
    autocast would insert (and the low-precision copies autograd then saves)
    are made here."""
    name = getattr(func, "__name__", "")
    if name in _AUTOCAST_LOW:
        target = low_dtype
    elif name in _AUTOCAST_FLOAT32:
        target = torch.float32
    else:
        return args, kwargs

    def cast(value):
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.dtype != target:
            return value.to(target)
        if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value):
            return type(value)(cast(v) for v in value)
        return value

    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}


def make_inputs(input_shapes, batch_size: int, device: str, dtype=None, seed: int = 0) -> list:
    """A batch per input: empty on meta, standard-normal values on real devices."""
    import torch

    dtype = dtype or torch.float32
    tensors = []
    generator = torch.Generator().manual_seed(seed)
    for shape in input_shapes:
        full = (batch_size, *shape)
        if device == "meta":
            tensors.append(torch.empty(full, device="meta", dtype=dtype))
        elif dtype.is_floating_point:
            tensors.append(torch.randn(full, generator=generator, dtype=dtype).to(device))
        else:
            tensors.append(torch.randint(0, 2, full, generator=generator, dtype=dtype).to(device))
    return tensors


def _substitutes(model, device: str, dtype=None) -> dict:
    """Parameters and buffers to run with, so the user's own are left alone."""
    import torch

    by_identity: dict[int, object] = {}
    substitutes = {}

    def substitute(tensor, is_buffer):
        key = id(tensor)
        if key not in by_identity:
            if device == "meta":
                copy = tensor if tensor.device.type == "meta" else torch.empty_like(
                    tensor, device="meta")
            elif tensor.device.type == "meta":
                raise ValueError("a meta-built model cannot be traced with real tensors")
            elif is_buffer or tensor.device.type != torch.device(device).type:
                copy = tensor.detach().to(device, copy=True)
            else:
                copy = tensor
            if dtype is not None and copy.is_floating_point() and copy.dtype != dtype:
                copy = copy.to(dtype)
            if not is_buffer and copy is not tensor:
                copy = copy.detach().requires_grad_(tensor.requires_grad)
            by_identity[key] = copy
        return by_identity[key]

    for name, param in model.named_parameters(remove_duplicate=False):
        substitutes[name] = substitute(param, False)
    for name, buffer in model.named_buffers(remove_duplicate=False):
        if buffer is not None:
            substitutes[name] = substitute(buffer, True)
    return substitutes


@contextmanager
def _without_dynamo_import():
    """Keep meta kernels from importing torch._dynamo (a second of start-up).

    Several of torch's Python decompositions (BatchNorm's meta kernel among
    them) are wrapped in ``torch._disable_dynamo``, which imports dynamo on
    first call only to wrap the function in ``dynamo.disable``. Outside
    ``torch.compile`` that wrapper is the function itself, so while we trace, a
    stand-in module answers ``disable(fn) → fn``. It is removed afterwards, and
    a later ``import torch._dynamo`` loads the real one.
    """
    import sys
    import types

    import torch

    if "torch._dynamo" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("torch._dynamo")
    stand_in.disable = lambda fn=None, recursive=True, **kwargs: fn
    stand_in.is_compiling = lambda: False
    sys.modules["torch._dynamo"] = stand_in
    torch._dynamo = stand_in
    try:
        yield
    finally:
        if sys.modules.get("torch._dynamo") is stand_in:
            del sys.modules["torch._dynamo"]
        if torch.__dict__.get("_dynamo") is stand_in:
            del torch._dynamo


@lru_cache(maxsize=1)
def _mode_classes():
    """The two torch modes, defined once torch is imported."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    class FunctionRecorder(TorchFunctionMode):
        def __init__(self, recorder):
            super().__init__()
            self.recorder = recorder

        def __torch_function__(self, func, types, args=(), kwargs=None):
            return self.recorder.call_function(func, args, kwargs or {})

    class AtenCounter(TorchDispatchMode):
        def __init__(self, recorder):
            super().__init__()
            self.recorder = recorder

        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            # Otherwise torch wraps __torch_dispatch__ in dynamo.disable, and
            # importing torch._dynamo costs a second of start-up; we never compile.
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            self.recorder.count(func, args, kwargs or {}, out)
            return out

    return FunctionRecorder, AtenCounter


def trace(
    model,
    input_shapes,
    *,
    batch_size: int = 2,
    device: str = "meta",
    training: bool = False,
    record_saved: bool = False,
    amp_dtype=None,
    sites: dict[str, Site] | None = None,
    param_dtype=None,
    seed: int = 0,
) -> Graph:
    """Run one forward pass of ``model`` on a batch of ``input_shapes`` and
    return its graph. A crash inside forward becomes ``graph.failure``."""
    import torch
    from torch.nn.modules.module import (
        register_module_forward_hook,
        register_module_forward_pre_hook,
    )

    recorder = _Recorder(torch, model, sites, batch_size, amp_dtype)
    function_mode_class, dispatch_mode_class = _mode_classes()

    substitutes = _substitutes(model, device, param_dtype)
    for tensor in substitutes.values():
        recorder.frozen_storages.add(recorder.storage_key(tensor))
    parameter_keys = {
        name: recorder.storage_key(substitutes[name])
        for name, _ in model.named_parameters(remove_duplicate=False)
    }
    recorder.parameter_storages.update(parameter_keys.values())
    inputs = make_inputs(input_shapes, batch_size, device, param_dtype, seed)
    recorder.input_ids = {id(t) for t in inputs}
    input_infos = [recorder.info(t) for t in inputs]
    recorder.frozen_storages.update(recorder.storage_key(t) for t in inputs)

    training_flags = [(m, m.training) for m in model.modules()]
    handles = []
    output, failure = None, None
    try:
        model.train(training)
        handles.append(register_module_forward_pre_hook(recorder.pre_hook))
        handles.append(register_module_forward_hook(recorder.post_hook))
        grad = torch.enable_grad() if record_saved else torch.no_grad()
        saved = (
            torch.autograd.graph.saved_tensors_hooks(recorder.pack_saved, lambda t: t)
            if record_saved
            else nullcontext()
        )
        with _without_dynamo_import(), grad, saved, function_mode_class(recorder), \
                dispatch_mode_class(recorder):
            output = torch.func.functional_call(model, substitutes, tuple(inputs), strict=False)
    except Exception as exc:
        failure = recorder.failure(exc)
    finally:
        for handle in handles:
            handle.remove()
        for module, flag in training_flags:
            module.training = flag

    outputs = []
    if failure is None:
        outputs = [recorder.info(t) for t in _tensor_leaves(_as_containers(output), torch)]
    graph = Graph(
        nodes=recorder.nodes,
        inputs=input_infos,
        outputs=outputs,
        batch_size=batch_size,
        device=device,
        training=training,
        failure=failure,
        uncounted_ops=dict(recorder.uncounted),
        unused_parameters={name for name, key in parameter_keys.items()
                           if key not in recorder.used_storages},
        saved_bytes=recorder.saved_bytes,
    )
    recorder.tensors.clear()
    return graph


def _as_containers(output):
    """Model outputs as nested lists: namedtuples and dataclass-like outputs
    (torchvision's ``InceptionOutputs``) included."""
    if isinstance(output, dict):
        return list(output.values())
    if hasattr(output, "_fields") or isinstance(output, (list, tuple)):
        return list(output)
    return output
