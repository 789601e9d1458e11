"""Well-built models are not flagged: torchvision's classification models lint
with no error and no warning, except CNA202 on vgg*_bn, whose convolutions do
carry a bias into BatchNorm. DenseNet's pre-activation, MobileNet's linear
bottlenecks and GoogLeNet's training-only auxiliary heads are designs, not
findings."""

import pytest
import torchvision.models as models

import cnnaudit

NAMES = sorted(models.list_models(module=models))
ARGS = {"vit_h_14": {"image_size": 518}}


def test_the_whole_catalog_of_classification_models_is_checked():
    assert len(NAMES) == 80


@pytest.mark.parametrize("name", NAMES)
def test_torchvision_model_has_no_errors_or_warnings(name):
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
