"""Receptive fields (issue 14) against an independent measurement: the
gradient footprint of one output unit in a linearized, positive copy of the
model (tests/receptive_measure.py), not our own formula. Published figures:
VGG-16's pool5 sees 212×212 (Araujo et al., Distill 2019, table of
well-known networks). The full-size torchvision models (ResNet-50,
Inception-v3, DenseNet-121) are benchmarks/receptive_field_exactness.py."""

import json
import sys
from fractions import Fraction

import pytest
from conftest import EXAMPLES, MODELS
from receptive_measure import measured_extent

import cnnaudit
from cnnaudit.stats.receptive import FLAT, MAP, WHOLE, field_of_layer, receptive_fields

sys.path.insert(0, str(MODELS))
import receptive_models  # noqa: E402


def computed(model, size, target):
    """The field cnnaudit computes for ``target``'s output (a module name)."""
    summary = cnnaudit.summary(model, size, depth=None)
    graph = summary.graph
    fields = receptive_fields(graph)
    node = graph.nodes[0] if not target else next(
        n for n in graph.nodes if n.kind == "module" and n.name == target)
    return field_of_layer(graph, fields, node), fields, graph


def _thin_vgg16():
    from torchvision.models.vgg import VGG, cfgs, make_layers

    # VGG-16's geometry ("D": 13 convolutions, 5 poolings), 1/32 of its widths
    return VGG(make_layers([c if c == "M" else c // 32 for c in cfgs["D"]]), num_classes=10,
               init_weights=False)


def _cheatsheet():
    import importlib.util

    spec = importlib.util.spec_from_file_location("cheatsheet", EXAMPLES / "cheatsheet_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Net()


def _torchvision(name, **kwargs):
    def build():
        from torchvision import models

        return getattr(models, name)(**kwargs)
    return build


def _thin_densenet121():
    from torchvision.models.densenet import DenseNet

    return DenseNet(growth_rate=4, block_config=(6, 12, 24, 16), num_init_features=8)


EXACT = [  # (model, input size, layer measured, its published/known field or None)
    (_cheatsheet, (1, 28, 28), "pool", 6),
    (_thin_vgg16, (3, 224, 224), "features", 212),  # the article's VGG-16 pool5
    (_torchvision("resnet18"), (3, 480, 480), "layer4", 435),
    (_torchvision("mobilenet_v2", width_mult=0.1), (3, 640, 640), "features", 491),
    (_thin_densenet121, (3, 320, 320), "features.denseblock2", None),
    (receptive_models.DilatedStack, (3, 64, 64), "", 31),
    (receptive_models.TwoBranch, (3, 32, 32), "", 9),
]


@pytest.mark.parametrize("build, size, target, known", EXACT,
                         ids=[case[0].__name__ if hasattr(case[0], "__name__") else str(i)
                              for i, case in enumerate(EXACT)])
def test_computed_field_equals_the_gradient_footprint(build, size, target, known):
    model = build()
    field, _, _ = computed(model, size, target)
    assert field.kind == MAP and not field.fractional
    extents, unit = measured_extent(model, size, target)
    for dim, (first, last) in enumerate(extents):
        # the unit's whole field lies inside the input: nothing clipped
        assert field.extent(dim, unit[dim]) == (first, last), (dim, unit)
    if known is not None:
        assert field.size == (known,) * len(size[1:])


def test_misaligned_branches_are_found_with_their_centres():
    field, fields, graph = computed(receptive_models.TwoBranch(), (3, 32, 32), "")
    (misaligned,) = fields.misaligned
    assert graph.nodes[misaligned.node].op == "Tensor.add"
    # branch a centred on the unit, branch b two input pixels up-left (one stem unit)
    assert sorted(misaligned.centres) == [(-2, -2), (0, 0)]
    aligned = computed(receptive_models.UNetLike(), (3, 32, 32), "")[1]
    assert aligned.misaligned == []  # nearest upsampling's half-unit shift is not reported


def test_fractional_fields_are_the_mean_over_one_period_of_units():
    # Two ×2 upsamplings: a unit's footprint depends on its position modulo 4.
    model = receptive_models.UNetLike()
    field, _, _ = computed(model, (3, 32, 32), "")
    assert field.fractional and field.jump == (1, 1)
    widths, offsets = [], []
    for unit in (16, 17, 18, 19):
        ((first, last), _), _ = measured_extent(model, (3, 32, 32), "", (unit, unit))
        widths.append(last - first + 1)
        offsets.append(Fraction(first + last, 2) - unit)
    assert len(set(widths)) > 1  # really position-dependent
    assert field.size[0] == Fraction(sum(widths), len(widths))
    assert field.centre(0, 0) == sum(offsets) / len(offsets)


def test_pooling_and_flatten_then_linear_see_the_whole_input():
    summary = cnnaudit.summary(f"{EXAMPLES / 'cheatsheet_net.py'}:Net", (1, 28, 28), depth=None)
    kinds = {layer.name: (layer.receptive_field or {}).get("kind") for layer in summary.layers}
    assert kinds["pool"] == MAP and kinds["view"] == FLAT and kinds["fc1"] == WHOLE
    assert summary.receptive["layer"] == "pool" and summary.receptive["size"] == [6, 6]
    assert summary.receptive["head"] == "fc1"
    # an op the pass cannot follow leaves the field unknown, never guessed
    shuffle = cnnaudit.summary(__import__("torch").nn.PixelShuffle(2), (4, 8, 8), depth=None)
    assert shuffle.layers == [] or all(layer.receptive_field is None for layer in shuffle.layers)


def test_summary_rf_columns_and_line_and_json(tmp_path):
    from click.testing import CliRunner

    from cnnaudit.cli import main

    spec = f"{EXAMPLES / 'cheatsheet_net.py'}:Net"
    text = CliRunner().invoke(main, ["summary", spec, "-i", "1,28,28", "--rf"]).stdout
    header = next(line for line in text.splitlines() if line.startswith("Layer"))
    assert header.split()[-4:] == ["RF", "Stride", "Padding", "Source"]
    pool = next(line for line in text.splitlines() if line.startswith("pool "))
    assert pool.split()[-4:-1] == ["6", "2", "0"]
    assert ("RF            6×6 at pool (12×12 map, stride 2, padding 0): 21% of each side of "
            "the 28×28 input; from fc1 on, the whole input") in text
    plain = CliRunner().invoke(main, ["summary", spec, "-i", "1,28,28"]).stdout
    assert "RF" not in plain.split("\n")[2]  # the columns only with --rf
    data = json.loads(CliRunner().invoke(main, ["summary", spec, "-i", "1,28,28", "-f",
                                                "json"]).stdout)
    conv2 = next(layer for layer in data["layers"] if layer["name"] == "conv2")
    assert conv2["receptive_field"] == {"kind": "map", "context": False, "fractional": False,
                                        "size": [5, 5], "stride": [1, 1], "padding": [0, 0]}
    assert data["receptive_field"]["input"] == [28, 28]


def test_published_figures_and_where_torchvision_differs():
    """Araujo et al. list Inception-v3's field as 1311 and ResNet-50's as 483
    (TF-slim's resnet_v1: the stride in each bottleneck's first 1×1).
    torchvision strides the 3×3 instead (ResNet v1.5): the first block of
    stages 2-4 then applies its 3×3 at the finer stride S (4, 8, 16) rather
    than at 2·S, adding 2·S less each: 483 − 2·(4 + 8 + 16) = 427."""
    from torchvision.models import resnet50

    inception = cnnaudit.summary("torchvision.models:inception_v3", (3, 299, 299),
                                 model_args={"aux_logits": False, "init_weights": False})
    assert inception.receptive["size"] == [1311, 1311]
    model = resnet50()
    assert cnnaudit.summary(model, (3, 224, 224)).receptive["size"] == [427, 427]
    for layer in (model.layer2, model.layer3, model.layer4):
        layer[0].conv1.stride, layer[0].conv2.stride = layer[0].conv2.stride, (1, 1)
    assert cnnaudit.summary(model, (3, 224, 224)).receptive["size"] == [483, 483]
