"""Well-built models are not flagged: torchvision's classification models lint
with no error and no warning, except CNA202 on vgg*_bn, whose convolutions do
carry a bias into BatchNorm. DenseNet's pre-activation, MobileNet's linear
bottlenecks and GoogLeNet's training-only auxiliary heads are designs, not
findings.

The suite checks one model of every family (22 of the 80, chosen by hand to
cover each architecture); benchmarks/lint_precision.py checks all 80 with the
same function, as the make test budget of 3 minutes asks."""

import pytest
import torchvision.models as models

import cnnaudit

NAMES = sorted(models.list_models(module=models))
ARGS = {"vit_h_14": {"image_size": 518}}
ONE_PER_FAMILY = [
    "alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "efficientnet_v2_s",
    "googlenet", "inception_v3", "maxvit_t", "mnasnet0_5", "mobilenet_v2", "mobilenet_v3_small",
    "regnet_x_400mf", "regnet_y_400mf", "resnet18", "resnext50_32x4d", "shufflenet_v2_x0_5",
    "squeezenet1_0", "swin_t", "vgg11", "vgg11_bn", "vit_b_16", "wide_resnet50_2",
]


def test_the_sample_covers_every_family_of_the_catalog():
    assert len(NAMES) == 80
    assert set(ONE_PER_FAMILY) <= set(NAMES)
    family = {name: name.rstrip("0123456789_").split("_")[0].rstrip("0123456789")
              for name in NAMES}
    assert {family[n] for n in ONE_PER_FAMILY} == set(family.values())


@pytest.mark.parametrize("name", ONE_PER_FAMILY)
def test_torchvision_model_has_no_errors_or_warnings(name):
    check_model(name)


def check_model(name):
    """No error or warning on torchvision's ``name`` (CNA202 on every conv of vgg*_bn)."""
    weights = next(iter(models.get_model_weights(name)))
    crop = weights.transforms.keywords.get("crop_size", 224)
    crop = crop[0] if isinstance(crop, (list, tuple)) else crop
    report = cnnaudit.lint(f"torchvision.models:{name}", (3, crop, crop),
                           model_args=ARGS.get(name, {}))
    serious = [f for f in report.findings if f.severity in ("error", "warning")]
    if name.startswith("vgg") and name.endswith("_bn"):
        assert serious and {f.code for f in serious} == {"CNA202"}
        # every conv of features carries a bias into its BatchNorm
        convs = [m for m in report.graph.ops() if m.op == "Conv2d"]
        assert len(serious) == len(convs)
    else:
        assert serious == [], [f.to_dict() for f in serious]
