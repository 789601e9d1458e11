"""Input size inferred from the model, or a request for --input-size."""

import pytest
from conftest import EXAMPLES, MODELS

import cnnaudit
from cnnaudit.errors import CnnauditError


def test_mnist_net_is_solved_from_its_linear():
    summary = cnnaudit.summary(f"{EXAMPLES / 'cheatsheet_net.py'}:Net")
    assert summary.input_shapes == [(1, 28, 28)]
    (note,) = [n for n in summary.notes if "inferred" in n]
    assert "1 channel from conv1" in note
    assert "28×28 from fc1 (Linear with 2880 in_features" in note and "20×12×12" in note


def test_smallest_side_that_gives_the_expected_features():
    # 20 × ((H - 6) // 2)² = 2880 → (H - 6) // 2 = 12 → H = 30 (31 works too).
    summary = cnnaudit.summary(f"{MODELS / 'broken_models.py'}:FlattenMismatch")
    assert summary.input_shapes == [(1, 30, 30)]
    assert summary.failure is None


def test_factory_with_nn_flatten():
    summary = cnnaudit.summary(f"{MODELS / 'broken_models.py'}:make_net")
    assert summary.input_shapes == [(3, 32, 32)]


def test_adaptive_pooling_models_ask_for_the_size():
    with pytest.raises(CnnauditError, match="accepts any size .* pass --input-size 3,H,W"):
        cnnaudit.summary("torchvision.models:resnet18")
