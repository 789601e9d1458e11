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

from contextlib import contextmanager, nullcontext
from functools import lru_cache

from ..errors import ModelExited
from ..load.sandbox import exit_message
from ..load.sites import Site, display_path
from .failure import traceback_site
from .graph import Graph
from .inputs import make_inputs, named_tensors, substitutes
from .recorder import Recorder, tensor_leaves


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

    # One walk of the module tree serves names, stand-ins and training flags.
    modules = list(model.named_modules(remove_duplicate=False))
    recorder = Recorder(torch, modules, sites, batch_size, amp_dtype)
    function_mode_class, dispatch_mode_class = _mode_classes()
    stand_ins, parameter_keys, substituted = _stand_ins(recorder, model, modules, device,
                                                        param_dtype)
    inputs = make_inputs(input_shapes, batch_size, device, param_dtype, seed)
    recorder.input_ids = {id(t) for t in inputs}
    recorder.mark_batch(inputs)
    input_infos = [recorder.info(t) for t in inputs]
    recorder.frozen_storages.update(recorder.storage_key(t) for t in inputs)

    training_flags = [(m, m.training) for _, m in modules]
    handles = []
    output, failure = None, None
    try:
        model.train(training)
        handles.append(register_module_forward_pre_hook(_bookkeeping(torch, recorder.pre_hook)))
        handles.append(register_module_forward_hook(_bookkeeping(torch, recorder.post_hook)))
        grad = torch.enable_grad() if record_saved else torch.no_grad()
        saved = (
            torch.autograd.graph.saved_tensors_hooks(recorder.pack_saved, lambda t: t)
            if record_saved
            else nullcontext()
        )
        with _without_dynamo_import(), grad, saved, function_mode_class(recorder), \
                dispatch_mode_class(recorder):
            if substituted:
                output = torch.func.functional_call(model, stand_ins, tuple(inputs),
                                                    strict=False)
            else:  # a meta model runs as it is: nothing of it can change
                output = model(*inputs)
    except SystemExit as exc:  # the model's forward must not end the run
        site = traceback_site(exc)
        raise ModelExited(f"forward {exit_message(exc)}", display_path(site.file) if site
                          else None, site.line if site else None) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # whatever else forward raises is the model's failure
        failure = recorder.failure(exc)
    finally:
        for handle in handles:
            handle.remove()
        for module, flag in training_flags:
            if module.training != flag:  # (each assignment is nn.Module.__setattr__)
                module.training = flag

    outputs = []
    if failure is None:
        outputs = [recorder.info(t) for t in tensor_leaves(_as_containers(output), torch)]
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
        saved_weight_cast_bytes=recorder.saved_weight_cast_bytes,
    )
    recorder.tensors.clear()
    recorder.weight_casts.clear()
    return graph


def _bookkeeping(torch, hook):
    """``hook`` run outside the function mode: the recorder's own reads of
    shapes and storages (thousands per trace) are not the model's ops, and
    passing each through the mode was a tenth of a small model's trace."""
    def run(*args):
        with torch._C.DisableTorchFunction():
            return hook(*args)
    return run


def _stand_ins(recorder, model, modules, device, param_dtype):
    """(parameters and buffers to run with, parameter name → storage key,
    whether they differ from the model's own); their storages are known to
    the recorder as frozen (not activations)."""
    stand_ins, substituted = substitutes(model, device, param_dtype, modules)
    for tensor in stand_ins.values():
        recorder.frozen_storages.add(recorder.storage_key(tensor))
    parameter_keys = {
        name: recorder.storage_key(stand_ins[name])
        for name, _ in named_tensors(modules, "_parameters")
    }
    recorder.parameter_storages.update(parameter_keys.values())
    return stand_ins, parameter_keys, substituted


def _as_containers(output):
    """Model outputs as nested lists: namedtuples and dataclass-like outputs
    (torchvision's ``InceptionOutputs``) included."""
    if isinstance(output, dict):
        return list(output.values())
    if hasattr(output, "_fields") or isinstance(output, (list, tuple)):
        return list(output)
    return output
