"""How one recorded call is written down: the tensors among its arguments
and results (``tensor_leaves``), the name a user would write for it
(``function_label``: ``F.relu``, ``Tensor.view``), and its non-tensor
arguments by name with defaults applied (``bound_arguments``), kept plain
for the rules (``F.dropout(x, 0.5)`` is recorded with ``training=True``)."""

from __future__ import annotations

import inspect

_ARG_TYPES = (int, float, bool, str, type(None))
def tensor_leaves(value, torch) -> list:
    """The tensors in ``value`` (nested lists, tuples and dicts), in order."""
    found = []
    _collect(value, torch.Tensor, found)
    return found


def _collect(value, tensor_type, found: list) -> None:
    # Called for every op's arguments and results: one list, no copies.
    if isinstance(value, tensor_type):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, tensor_type):
                found.append(item)
            elif isinstance(item, (list, tuple, dict)):
                _collect(item, tensor_type, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, tensor_type, found)


def _plain(value):
    """Non-tensor argument values kept for rules: scalars and tuples of them."""
    if isinstance(value, _ARG_TYPES):
        return value
    if isinstance(value, slice) and all(isinstance(v, (int, type(None)))
                                        for v in (value.start, value.stop, value.step)):
        return ["slice", value.start, value.stop, value.step]  # x[:, :, ::2]: for the field
    if value is Ellipsis:
        return "..."
    if isinstance(value, (tuple, list)) and all(isinstance(v, _ARG_TYPES) for v in value):
        return list(value)
    if isinstance(value, tuple) and all(isinstance(v, (*_ARG_TYPES, slice)) or v is Ellipsis
                                        for v in value):
        return [_plain(v) for v in value]
    if _is_tensor(value):
        return "<tensor>"
    if _costly_repr(value):
        return type(value).__name__
    text = repr(value)
    return text if len(text) < 60 else type(value).__name__


def _costly_repr(value) -> bool:
    """A module, or a container of tensors or modules (``torch.cat([a, b])``'s
    list): their repr prints a whole tensor or module tree (tens of µs a
    call) only to be cut to the type's name."""
    if hasattr(value, "named_modules"):
        return True
    items = value.values() if isinstance(value, dict) else value \
        if isinstance(value, (list, tuple, set)) else ()
    return any(_is_tensor(v) or hasattr(v, "named_modules") for v in items)


def _is_tensor(value) -> bool:
    # torch.dtype has is_floating_point too (it was recorded as "<tensor>")
    return hasattr(value, "is_floating_point") and hasattr(value, "dim")


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


_SIGNATURES: dict = {}  # function → (its signature or None, its _Binder or None)


def _signature(func):
    """The signature to bind a call with. ``F.max_pool2d`` and its kin are
    ``boolean_dispatch`` wrappers taking ``(*args, **kwargs)``: their
    arguments are named by the function they dispatch to (``F._max_pool2d``)."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    kinds = {p.kind for p in signature.parameters.values()}
    if kinds and kinds <= {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
        import torch.nn.functional as F

        target = getattr(F, "_" + getattr(func, "__name__", ""), None)
        if target is None:
            return None
        try:
            return inspect.signature(target)
        except (TypeError, ValueError):
            return None
    return signature


class _Binder:
    """``signature.bind(...)`` + ``apply_defaults()`` for the common signature
    (parameters by position or keyword, no ``*args``/``**kwargs``), without
    inspect's machinery: binding is per recorded call, and inspect's was a
    tenth of a small model's trace. Anything it does not handle falls back."""

    def __init__(self, signature):
        params = list(signature.parameters.values())
        self.usable = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params)
        self.order = [p.name for p in params]
        self.names = set(self.order)
        self.positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
        self.defaults = {p.name: p.default for p in params if p.default is not p.empty}

    def bind(self, args, kwargs) -> dict | None:
        """name → value in signature order, or None (use inspect)."""
        if not self.usable or len(args) > len(self.positional):
            return None
        bound = dict(zip(self.positional, args))
        for key, value in kwargs.items():
            if key in bound or key not in self.names:
                return None
            bound[key] = value
        try:
            return {name: bound[name] if name in bound else self.defaults[name]
                    for name in self.order}
        except KeyError:  # a required argument missing: inspect's error
            return None


def bound_arguments(func, args, kwargs) -> dict:
    """Non-tensor arguments by name, defaults applied where the signature is
    known (``F.dropout(x, 0.5)`` is recorded with ``training=True``)."""
    entry = _SIGNATURES.get(func)
    if entry is None:
        signature = _signature(func)
        entry = _SIGNATURES[func] = (signature, None if signature is None else _Binder(signature))
    signature, binder = entry
    bound = binder.bind(args, kwargs) if binder is not None else None
    if bound is not None:
        return {k: _plain(v) for k, v in bound.items()}
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
