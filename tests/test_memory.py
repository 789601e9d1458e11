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
    assert on_meta.optimizer_implementation == "foreach"  # torch's pick on CUDA, by default
    on_cpu = cnnaudit.summary(model, (3, 16, 16), batch_size=4, device="cpu").training_memory
    assert on_meta == on_cpu


@pytest.mark.parametrize("optimizer, slots", [("sgd", 0), ("momentum", 1), ("adam", 2),
                                              ("adamw", 2)])
def test_optimizer_state(optimizer, slots):
    memory = cnnaudit.summary(CHEATSHEET, (1, 28, 28), optimizer=optimizer,
                              batch_size=32).training_memory
    params = 30790 * 4
    assert memory.param_bytes == params and memory.gradient_bytes == params
    assert memory.optimizer_bytes == slots * params
    state = (1 + slots) * params  # parameters and optimizer state live through every phase
    assert memory.phase_bytes["forward"] == state + memory.activation_bytes + memory.input_bytes
    assert memory.phase_bytes["step"] == state + params + memory.input_bytes + \
        memory.step_transient_bytes
    # backward: gradients arrive and maps are in flight, while saved maps are freed
    assert memory.phase_bytes["forward"] < memory.phase_bytes["backward"] \
        < memory.phase_bytes["forward"] + params + memory.activation_bytes
    assert memory.total_bytes == max(memory.phase_bytes.values())


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


# -- the estimate against a measurement (the probe's CPU storage tracker) -----

class BigHead(nn.Module):
    """Most parameters in one Linear: Adam's step holds the peak."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc1 = nn.Linear(8 * 28 * 28, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(torch.relu(self.conv(x)).flatten(1))))


def measured_peak(model, shape, batch, optimizer, amp=False, foreach=None):
    """Two training steps of a plain loop, measured phase by phase."""
    from cnnaudit.probing.memory_meter import measure_plain_steps

    torch.manual_seed(0)
    data, labels = torch.randn(2 * batch, *shape), torch.randint(0, 10, (2 * batch,))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = {"momentum": lambda: torch.optim.SGD(params, lr=0.01, momentum=0.9, foreach=foreach),
           "adam": lambda: torch.optim.Adam(params, foreach=foreach)}[optimizer]()
    batches = [(data[i * batch:(i + 1) * batch], labels[i * batch:(i + 1) * batch])
               for i in range(2)]
    return measure_plain_steps(torch, model, opt, batches, torch.bfloat16 if amp else None)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("amp", [False, True])
@pytest.mark.parametrize("spec", [CHEATSHEET, "BigHead"])
def test_estimate_within_15_percent_of_the_measured_peak(spec, amp, optimizer):
    from cnnaudit.load import load

    model = BigHead() if spec == "BigHead" else load(spec, device="cpu").model
    memory = cnnaudit.summary(model, (1, 28, 28), batch_size=32, optimizer=optimizer,
                              amp="bf16" if amp else None,
                              optimizer_impl="for-loop").training_memory
    meter = measured_peak(model, (1, 28, 28), 32, optimizer, amp)
    assert memory.total_bytes == pytest.approx(meter.peak, rel=0.15)
    assert memory.peak_phase == meter.peak_phase
    for phase in ("forward", "backward", "step"):
        assert memory.phase_bytes[phase] == pytest.approx(meter.peaks[phase], rel=0.15)


def test_adam_step_temporaries_depend_on_the_implementation():
    model = BigHead()
    fc1 = model.fc1.weight.numel() * 4  # the largest parameter
    everything = sum(p.numel() for p in model.parameters()) * 4
    # the loop: sqrt and its quotient alive at once, for one parameter at a time;
    # foreach: the sqrt of every second moment at once
    for implementation, foreach, transient in [("for-loop", False, 2 * fc1),
                                               ("foreach", True, everything)]:
        memory = cnnaudit.summary(model, (1, 28, 28), batch_size=8, optimizer="adam",
                                  optimizer_impl=implementation).training_memory
        assert memory.step_transient_bytes == transient
        assert memory.peak_phase == "step"
        meter = measured_peak(model, (1, 28, 28), 8, "adam", foreach=foreach)
        assert meter.peak_phase == "step"
        assert memory.total_bytes == pytest.approx(meter.peak, rel=0.05)
    fused = cnnaudit.summary(model, (1, 28, 28), batch_size=8, optimizer="adam",
                             optimizer_impl="fused").training_memory
    assert fused.step_transient_bytes == 0


def test_autocast_weight_copies_do_not_grow_with_the_batch():
    small = cnnaudit.summary(BigHead(), (1, 28, 28), batch_size=8, amp="bf16").training_memory
    large = cnnaudit.summary(BigHead(), (1, 28, 28), batch_size=64, amp="bf16").training_memory
    weights = sum(p.numel() for p in BigHead().parameters() if p.dim() > 1)
    assert small.weight_cast_bytes == large.weight_cast_bytes >= 2 * weights
    assert large.activation_bytes == 8 * small.activation_bytes


def test_the_meter_counts_storages_not_views_or_in_place_results():
    from cnnaudit.probing.memory_meter import MemoryMeter

    kept = torch.zeros(1000)  # 4,000 bytes already there, counted from the start
    meter = MemoryMeter(torch, torch.device("cpu"))
    meter.start(preexisting=[kept])
    meter.phase("forward")
    a = torch.ones(2000)  # +8,000
    view = a.view(40, 50)
    view.mul_(2)  # in place on a view: nothing new
    b = a * 2  # +8,000 → 20,000 live
    del a, view, b  # all freed
    meter.phase("step")
    c = torch.ones(500)  # 4,000 + 2,000
    meter.stop()
    assert meter.peaks == {"forward": 20_000, "step": 6_000}
    assert meter.peak == 20_000 and meter.peak_phase == "forward"
    assert c.sum() == 500


@pytest.mark.parametrize("spec, size", [(CHEATSHEET, (1, 28, 28)),
                                        ("torchvision.models:resnet18", (3, 64, 64))])
def test_the_timeline_follows_the_estimate_op_by_op(spec, size):
    """The report's timeline: every op once through forward (memory only grows:
    each op's saved tensors join), every op again through backward from the
    last, then the step; each phase's highest point is that phase's estimate,
    the highest of all the peak."""
    memory = cnnaudit.summary(spec, size, batch_size=16, optimizer="adam",
                              memory_timeline=True).training_memory
    points = memory.timeline
    forward = [p for p in points if p["phase"] == "forward"]
    backward = [p for p in points if p["phase"] == "backward"]
    assert [p["phase"] for p in points] == ["forward"] * len(forward) + \
        ["backward"] * len(backward) + ["step"]
    assert [p["layer"] for p in backward] == [p["layer"] for p in reversed(forward)]
    assert all(a["bytes"] <= b["bytes"] for a, b in zip(forward, forward[1:]))
    assert forward[-1]["bytes"] == memory.phase_bytes["forward"]
    assert max(p["bytes"] for p in backward) == memory.phase_bytes["backward"]
    assert points[-1]["bytes"] == memory.phase_bytes["step"]
    assert max(p["bytes"] for p in points) == memory.total_bytes
    # asked for only: the summary's JSON does not grow
    plain = cnnaudit.summary(spec, size, batch_size=16, optimizer="adam")
    assert "timeline" not in plain.to_dict()["training_memory"]
