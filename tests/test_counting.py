"""MAC formulas are arithmetic on shapes (as torch.utils.flop_counter's are),
a second formula for one op is refused, and a user can count a custom op."""

import pytest

import cnnaudit
from cnnaudit.trace import counting


def test_formulas_take_shapes_not_tensors():
    # A 3×3 conv, 16 → 32 channels, on a 2×16×8×8 batch with padding 1.
    conv = counting.MAC_FORMULAS["aten::convolution"]
    assert conv((2, 16, 8, 8), (32, 16, 3, 3), None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1,
                out_shape=(2, 32, 8, 8)) == 2 * 32 * 8 * 8 * 16 * 9
    # Transposed: every input element costs C_out/groups × k MACs.
    assert conv((1, 4, 5, 5), (4, 8, 2, 2), None, [2, 2], [0, 0], [1, 1], True, [0, 0], 1,
                out_shape=(1, 8, 10, 10)) == 1 * 4 * 5 * 5 * 8 * 4
    assert counting.MAC_FORMULAS["aten::addmm"]((10,), (7, 20), (20, 10),
                                                out_shape=(7, 10)) == 7 * 20 * 10
    assert counting.MAC_FORMULAS["aten::bmm"]((3, 4, 5), (3, 5, 6), out_shape=(3, 4, 6)) == 360


def test_a_second_formula_for_the_same_op_raises():
    with pytest.raises(ValueError, match="aten::mm is already registered"):
        counting.register_mac_formula("aten::mm", lambda *a, out_shape, **k: 0)


def test_a_user_formula_counts_a_custom_op():
    import torch
    from torch import nn

    @torch.library.custom_op("cnnaudit_test::scaled_mm", mutates_args=())
    def scaled_mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return 2 * (a @ b)

    @scaled_mm.register_fake
    def _(a, b):
        return a.new_empty(a.shape[0], b.shape[1])

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(12, 5))

        def forward(self, x):
            return torch.ops.cnnaudit_test.scaled_mm(x.flatten(1), self.weight)

    before = cnnaudit.summary(Net(), (3, 2, 2))
    assert before.not_counted == {"cnnaudit_test::scaled_mm": 1}
    assert before.totals.macs == 0

    def scaled_mm_macs(a_shape, b_shape, *, out_shape):
        return a_shape[0] * a_shape[1] * b_shape[1]

    cnnaudit.register_mac_formula("cnnaudit_test::scaled_mm", scaled_mm_macs)
    try:
        after = cnnaudit.summary(Net(), (3, 2, 2))
        assert after.not_counted == {}
        assert after.totals.macs == 12 * 5  # per sample: one row of 12 features × 5 outputs
    finally:
        del counting.MAC_FORMULAS["cnnaudit_test::scaled_mm"]
