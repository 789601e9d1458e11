"""Counts: by the cheatsheet's own formulas, against torchvision's published
figures, and against fvcore."""

import pytest
import torch
from conftest import EXAMPLES, MODELS

import cnnaudit

CHEATSHEET = str(EXAMPLES / "cheatsheet_net.py")


@pytest.fixture(scope="module")
def cheatsheet():
    return cnnaudit.summary(f"{CHEATSHEET}:Net", (1, 28, 28), depth=None)


def test_parameters_follow_the_cheatsheet_formulas(cheatsheet):
    params = {layer.name: layer.params for layer in cheatsheet.layers}
    assert params["conv1"] == 3 * 3 * 1 * 10 + 10
    assert params["conv2"] == 3 * 3 * 10 * 20 + 20  # the cheatsheet's 1,820
    assert params["fc1"] == 2880 * 10 + 10  # the cheatsheet's 28,810
    assert params["bn1"] == 2 * 10  # the cheatsheet's 2 × num_features
    assert cheatsheet.totals.params == 100 + 20 + 1820 + 40 + 28810
    assert cheatsheet.totals.param_bytes == 4 * cheatsheet.totals.params


def test_macs_per_sample_by_the_output_size_formula(cheatsheet):
    macs = {layer.name: layer.macs for layer in cheatsheet.layers}
    assert macs["conv1"] == 26 * 26 * 10 * (1 * 3 * 3)
    assert macs["conv2"] == 24 * 24 * 20 * (10 * 3 * 3)
    assert macs["fc1"] == 2880 * 10
    assert macs["bn1"] == 0 and macs["relu"] == 0  # convention: not counted ...
    assert "aten::native_batch_norm" in cheatsheet.not_counted  # ... and said so
    assert cheatsheet.totals.macs == sum(macs.values())
    assert cheatsheet.totals.flops == 2 * cheatsheet.totals.macs


def test_activation_bytes_per_sample(cheatsheet):
    act = {layer.name: layer.activation_bytes for layer in cheatsheet.layers}
    assert act["conv1"] == 10 * 26 * 26 * 4
    assert act["view"] == 0  # a view writes no new memory
    assert cheatsheet.totals.input_bytes == 28 * 28 * 4


def test_shared_parameters_count_once():
    summary = cnnaudit.summary(f"{MODELS / 'broken_models.py'}:Shared", (16,))
    assert summary.totals.params == 16 * 16 + 16
    assert summary.totals.macs == 2 * 16 * 16


def _tied():
    """Two Linears holding one weight (tied embeddings' pattern)."""
    first, second = torch.nn.Linear(8, 8), torch.nn.Linear(8, 8)
    second.weight = first.weight
    return torch.nn.Sequential(torch.nn.Sequential(first, torch.nn.ReLU()), second)


@pytest.mark.parametrize("spec, size", [
    (f"{MODELS / 'broken_models.py'}:Shared", (16,)),  # one Linear called twice
    ("torchvision.models:resnet18", (3, 32, 32)),
    (_tied, (8,)),
])
def test_each_layer_counts_the_parameters_its_module_has(spec, size):
    spec = spec() if callable(spec) else spec
    # Counted bottom-up once when nothing is shared, module by module when
    # something is: either way what module.parameters() holds, shared once.
    summary = cnnaudit.summary(spec, size, depth=None)
    modules = dict(summary.graph.nodes[0].module.named_modules())
    for layer in summary.layers:
        if layer.kind == "module":
            expected = sum(p.numel() for p in modules[layer.name].parameters())
            assert layer.params == expected, layer.name


# (model, crop, constructor args): published figures in torchvision's weights metadata.
TORCHVISION = [
    ("resnet18", {}), ("resnet50", {}), ("mobilenet_v3_small", {}), ("densenet121", {}),
    ("vit_b_32", {}), ("swin_t", {}), ("googlenet", {"aux_logits": False}),
    ("regnet_y_400mf", {}), ("inception_v3", {}),
    # its continuous position-bias MLP runs once per forward, whatever the batch
    ("swin_v2_t", {}),
]


@pytest.mark.parametrize("name, model_args", TORCHVISION)
def test_torchvision_published_params_and_macs(name, model_args):
    from torchvision import models

    weights = list(models.get_model_weights(name))[0]
    crop = weights.transforms.keywords.get("crop_size", 224)
    summary = cnnaudit.summary(f"torchvision.models:{name}", (3, crop, crop),
                               model_args=model_args)
    assert summary.totals.params == weights.meta["num_params"]
    assert round(summary.totals.macs / 1e9, 3) == pytest.approx(weights.meta["_ops"], abs=1e-9)


class TableBias(torch.nn.Module):
    """Work on a fixed table (once per forward, like swin_v2's position-bias
    MLP) beside work on the batch, and a token expanded to the batch."""

    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.randn(1, 49, 2))
        self.table_mlp = torch.nn.Linear(2, 64)  # 49 × 2 × 64 MACs, once
        self.token = torch.nn.Parameter(torch.zeros(1, 1, 64))
        self.token_mlp = torch.nn.Linear(64, 64)  # per sample: the token is expanded
        self.proj = torch.nn.Linear(64, 64)

    def forward(self, x):  # x: [N, 49, 64]
        tokens = self.token_mlp(self.token.expand(x.shape[0], -1, -1))
        return self.proj(x + self.table_mlp(self.table)) + tokens


@pytest.mark.parametrize("trace_batch", [1, 2, 5])
def test_batch_independent_work_counts_once(trace_batch):
    summary = cnnaudit.summary(TableBias(), (49, 64), trace_batch_size=trace_batch, depth=None)
    fixed = 49 * 2 * 64
    assert summary.totals.macs == fixed + 64 * 64 + 49 * 64 * 64
    assert summary.totals.fixed_macs == fixed
    macs = {layer.name: layer.macs for layer in summary.layers}
    assert macs["table_mlp"] == fixed and macs["token_mlp"] == 64 * 64
    assert sum(summary.totals.macs_by_op.values()) == summary.totals.macs


def test_depth_folds_into_parents():
    summary = cnnaudit.summary("torchvision.models:resnet18", (3, 224, 224), depth=1)
    modules = [layer for layer in summary.layers if layer.kind == "module"]
    assert {layer.depth for layer in summary.layers} == {1}
    assert sum(layer.params for layer in modules) == summary.totals.params
    assert sum(layer.macs for layer in summary.layers) == summary.totals.macs
    full = cnnaudit.summary("torchvision.models:resnet18", (3, 224, 224), depth=None)
    assert len(full.layers) > 3 * len(summary.layers)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2", "vgg11", "squeezenet1_0"])
def test_conv_and_linear_macs_agree_with_fvcore(name):
    from cnnaudit.load import load
    from cnnaudit.stats.fvcore import count_with_fvcore
    from cnnaudit.trace import make_inputs

    native = cnnaudit.summary(f"torchvision.models:{name}", (3, 224, 224))
    ours = sum(v for op, v in native.totals.macs_by_op.items()
               if op in ("aten::convolution", "aten::addmm", "aten::mm"))
    model = load(f"torchvision.models:{name}", device="cpu").model
    theirs = count_with_fvcore(model, make_inputs([(3, 224, 224)], 1, "cpu"))
    assert ours == theirs.matrix_macs


def test_fvcore_counter_option_reports_fvcores_counts():
    summary = cnnaudit.summary(f"{CHEATSHEET}:Net", (1, 28, 28), counter="fvcore")
    assert summary.counter == "fvcore"
    # fvcore also counts BatchNorm and pooling, so its total is above ours ...
    assert summary.fvcore["total"] > summary.fvcore["matrix_macs"]
    # ... while its conv + linear part is our total.
    assert summary.fvcore["matrix_macs"] == 26 * 26 * 10 * 9 + 24 * 24 * 20 * 90 + 2880 * 10
    assert summary.totals.macs == summary.fvcore["total"]
    assert {layer.name: layer.macs for layer in summary.layers}["conv1"] == 26 * 26 * 10 * 9
