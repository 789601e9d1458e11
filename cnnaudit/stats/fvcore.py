"""fvcore's counts, as a second opinion (``--counter fvcore``).

fvcore traces with ``torch.jit`` and needs real tensors, so the model must be
built for real. Its "flops" count one multiply-add as one, which makes them
MACs in our vocabulary. Imported only when asked for: fvcore is slow to import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# fvcore operator groups that are conv/linear/matmul work, our convention.
MATRIX_GROUPS = {"conv", "linear", "addmm", "matmul", "bmm", "einsum", "mm"}


@dataclass
class FvcoreCounts:
    total: int  # fvcore's total, all handles (BatchNorm, pooling, ... included)
    by_module: dict[str, int]
    by_operator: dict[str, int]
    unsupported_ops: dict[str, int] = field(default_factory=dict)
    uncalled_modules: list[str] = field(default_factory=list)

    @property
    def matrix_macs(self) -> int:
        """conv + linear + matmul only, comparable with the native counter."""
        return sum(v for k, v in self.by_operator.items() if k in MATRIX_GROUPS)


def count_with_fvcore(model, inputs) -> FvcoreCounts:
    import logging

    from fvcore.nn import FlopCountAnalysis

    # fvcore logs a warning per unsupported op; we report them as data instead.
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    training = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        analysis = FlopCountAnalysis(model, tuple(inputs))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        try:
            total = int(analysis.total())
        except Exception as exc:  # fvcore's torch.jit trace cannot follow every model
            from ..errors import CnnauditError

            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise CnnauditError(f"--counter fvcore: fvcore could not trace the model "
                                f"({type(exc).__name__}: {first}); the native counter can") \
                from None
        by_module = {name: int(v) for name, v in analysis.by_module().items()}
        by_operator = {name: int(v) for name, v in analysis.by_operator().items()}
        unsupported = {str(k): int(v) for k, v in analysis.unsupported_ops().items()}
        uncalled = sorted(analysis.uncalled_modules())
    finally:
        for module, flag in training:
            module.training = flag
    return FvcoreCounts(total, by_module, by_operator, unsupported, uncalled)
