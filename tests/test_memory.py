"""Training memory: parameters, gradients, optimizer state, and the activations
autograd saves for backward, measured through saved-tensor hooks."""

import pytest
import torch
from conftest import EXAMPLES
from torch import nn

import cnnaudit

CHEATSHEET = f"{EXAMPLES / 'cheatsheet_net.py'}:Net"


class ConvReluLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 16 * 16, 10)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_saved_activations_follow_autograd_not_output_sizes():
    # conv saves its input (the batch, counted once as the input), ReLU saves its
    # output, and the Linear saves the flattened view of that same output: one
    # 8×16×16 float map per sample, not three.
    memory = cnnaudit.summary(ConvReluLinear(), (3, 16, 16), batch_size=4).training_memory
    assert memory.saved_bytes_per_sample == 8 * 16 * 16 * 4
    assert memory.activation_bytes == 4 * 8 * 16 * 16 * 4
    assert memory.input_bytes == 4 * 3 * 16 * 16 * 4


def test_meta_measurement_equals_real_tensor_measurement():
    model = ConvReluLinear()
    on_meta = cnnaudit.summary(model, (3, 16, 16), batch_size=4).training_memory
    on_cpu = cnnaudit.summary(model, (3, 16, 16), batch_size=4, device="cpu").training_memory
    assert on_meta == on_cpu


@pytest.mark.parametrize("optimizer, slots", [("sgd", 0), ("momentum", 1), ("adam", 2),
                                              ("adamw", 2)])
def test_optimizer_state(optimizer, slots):
    memory = cnnaudit.summary(CHEATSHEET, (1, 28, 28), optimizer=optimizer).training_memory
    params = 30790 * 4
    assert memory.param_bytes == params and memory.gradient_bytes == params
    assert memory.optimizer_bytes == slots * params
    assert memory.total_bytes == (2 + slots) * params + memory.activation_bytes + \
        memory.input_bytes


def test_frozen_parameters_have_no_gradients_or_state():
    model = ConvReluLinear()
    model.conv.requires_grad_(False)
    memory = cnnaudit.summary(model, (3, 16, 16), optimizer="adam").training_memory
    trainable = sum(p.numel() for p in model.fc.parameters()) * 4
    assert memory.gradient_bytes == trainable and memory.optimizer_bytes == 2 * trainable


def test_memory_budget_gives_the_largest_batch_that_fits():
    budget = 64 * 1024**2
    memory = cnnaudit.summary(CHEATSHEET, (1, 28, 28), memory_budget="64MiB").training_memory
    best = memory.max_batch_size
    assert best > 1
    at_best = cnnaudit.summary(CHEATSHEET, (1, 28, 28), batch_size=best).training_memory
    above = cnnaudit.summary(CHEATSHEET, (1, 28, 28), batch_size=best + 1).training_memory
    assert at_best.total_bytes <= budget < above.total_bytes


def test_budget_too_small_for_one_sample():
    memory = cnnaudit.summary(CHEATSHEET, (1, 28, 28), memory_budget="100KiB").training_memory
    assert memory.max_batch_size == 0


def test_mixed_precision_saves_half_width_activations():
    fp32 = cnnaudit.summary(CHEATSHEET, (1, 28, 28), batch_size=8).training_memory
    bf16 = cnnaudit.summary(CHEATSHEET, (1, 28, 28), batch_size=8, amp="bf16").training_memory
    assert bf16.precision == "amp-bf16"
    assert bf16.param_bytes == fp32.param_bytes  # master weights stay float32
    assert bf16.activation_bytes < 0.8 * fp32.activation_bytes


def test_half_precision_dtype_halves_parameters():
    memory = cnnaudit.summary(CHEATSHEET, (1, 28, 28), dtype="bfloat16",
                              optimizer="sgd").training_memory
    assert memory.param_bytes == 30790 * 2


def test_no_estimate_unless_asked():
    assert cnnaudit.summary(CHEATSHEET, (1, 28, 28)).training_memory is None


def test_saved_bytes_per_layer_add_up_to_the_estimate():
    summary = cnnaudit.summary(CHEATSHEET, (1, 28, 28), batch_size=16, depth=None)
    saved = {layer.name: layer.saved_bytes for layer in summary.layers}
    assert sum(saved.values()) == summary.training_memory.saved_bytes_per_sample
    assert saved["relu"] == 10 * 26 * 26 * 4  # ReLU keeps its output ...
    assert saved["conv2"] == 0  # ... which conv2 then saves again for free
    assert saved["fc1"] == 2880 * 4  # the Linear keeps its (flattened) input
    plain = cnnaudit.summary(CHEATSHEET, (1, 28, 28))
    assert all(layer.saved_bytes is None for layer in plain.layers)
