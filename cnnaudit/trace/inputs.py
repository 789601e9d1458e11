"""What a trace runs with: input batches, and stand-ins for the model's own
parameters and buffers so that the user's module is never changed."""

from __future__ import annotations


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


def named_tensors(modules, kind: str):
    """``named_parameters``/``named_buffers(remove_duplicate=False)`` from a
    list of ``named_modules(remove_duplicate=False)`` made once per trace
    (each of torch's walks the whole tree again). ``kind``: "_parameters" or
    "_buffers"."""
    for prefix, module in modules:
        for name, tensor in getattr(module, kind).items():
            if tensor is not None:
                yield (f"{prefix}.{name}" if prefix else name), tensor


def substitutes(model, device: str, dtype=None, modules=None) -> tuple[dict, bool]:
    """(parameters and buffers to run with, so the user's own are left alone;
    whether any differs from the model's own: on meta none does). ``modules``:
    the model's ``named_modules(remove_duplicate=False)``, when already listed."""
    import torch

    if modules is None:
        modules = list(model.named_modules(remove_duplicate=False))

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

    changed = False
    for name, param in named_tensors(modules, "_parameters"):
        substitutes[name] = substitute(param, False)
        changed = changed or substitutes[name] is not param
    for name, buffer in named_tensors(modules, "_buffers"):
        substitutes[name] = substitute(buffer, True)
        changed = changed or substitutes[name] is not buffer
    return substitutes, changed
