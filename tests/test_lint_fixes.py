"""The lint fixes of issue 12, each on a model of our own: right numbers in
the message, a fix that removes the error when applied (not one that moves
it), findings where a person can act, and output a person can read."""

import json

import pytest
from click.testing import CliRunner
from conftest import MODELS

import cnnaudit
from cnnaudit.cli import main

HEADS = MODELS / "head_models.py"


def _findings(model, size, code=None):
    report = cnnaudit.lint(model, size)
    return [f for f in report.findings if code is None or f.code == code]


def _errors(model, size):
    return [f for f in cnnaudit.lint(model, size).findings if f.severity == "error"]


@pytest.mark.parametrize("name, shape, dims", [
    ("PooledNoFlatten", (1, 28, 28), "[N, 20, 4, 4] map: flatten it first — 20×4×4 = 320"),
    ("ConvNoFlatten", (3, 16, 16), "[N, 8, 8, 8] map: flatten it first — 8×8×8 = 512"),
])
def test_a_missing_flatten_is_named_with_the_map_the_linear_receives(name, shape, dims):
    from tests.models import head_models

    [finding] = _findings(f"{HEADS}:{name}", shape, "CNA101")
    assert dims in finding.message
    assert finding.fix.startswith("x = torch.flatten(x, 1) before")
    assert "nn.Linear(" not in finding.fix  # another in_features would be the harmful fix
    summary = cnnaudit.summary(f"{HEADS}:{name}", shape)
    assert dims in summary.failure["message"]  # summary says the same
    # Applied, the fix leaves no error.
    fixed = getattr(head_models, name)(flatten=True)
    assert _errors(fixed, shape) == []


def test_a_head_built_for_one_size_gets_an_adaptive_pool_that_works():
    from tests.models.head_models import LeNetView

    for side, code in ((64, "CNA101"), (52, "CNA102")):  # crash, and batch fold
        [finding] = _findings(f"{HEADS}:LeNetView", (3, side, side), code)
        assert finding.fix.startswith("nn.AdaptiveAvgPool2d(5) before the reshape")
        for size in (side, 32, 96):  # the fix holds at any input size
            assert _errors(LeNetView(pool=5), (3, size, size)) == []
    # The alternative it names is right too (for this size only).
    [view] = _findings(f"{HEADS}:LeNetView", (3, 64, 64), "CNA101")
    assert "x.flatten(1) with nn.Linear(2704, 120) (this size only)" in view.fix


def test_a_fixed_global_pool_gets_its_adaptive_twin():
    from tests.models.head_models import FixedGlobalPool

    [finding] = _findings(f"{HEADS}:FixedGlobalPool", (3, 96, 96), "CNA104")
    assert finding.fix == "nn.AdaptiveAvgPool2d(1) in place of avgpool (AvgPool2d(7))"
    assert _errors(FixedGlobalPool(adaptive=True), (3, 96, 96)) == []
    assert _errors(FixedGlobalPool(adaptive=True), (3, 224, 224)) == []


def test_bn_after_activation_is_found_through_dropout():
    [finding] = _findings(f"{HEADS}:ReluDropoutBN", (3, 16, 16), "CNA201")
    assert finding.layer == "act"


def test_a_residual_add_with_a_nonlinear_operand_is_no_linear_stack():
    assert _findings(f"{HEADS}:ResidualProj", (3, 16, 16), "CNA204") == []
    assert len(_findings(f"{HEADS}:PlainStack", (3, 16, 16), "CNA204")) == 1  # still found


def test_two_linears_merge_only_when_nothing_else_reads_the_first():
    """Issue 22: LeViT's projection also feeds a skip: no finding there; the
    plain pair is still found."""
    [finding] = _findings(f"{HEADS}:LinearStack", (3, 4, 4), "CNA204")
    assert finding.layer == "fc" and "proj → fc" in finding.message
    assert _findings(f"{HEADS}:LinearSkip", (3, 4, 4), "CNA204") == []


def test_levit_gets_no_missing_activation():
    import timm  # noqa: F401  (a dev dependency: the test needs timm's model)

    assert _findings("timm.models:levit_128", (3, 224, 224), "CNA204") == []


def test_channel_alignment_skips_squeeze_excite_bottlenecks():
    assert _findings(f"{HEADS}:SqueezeExcite", (3, 32, 32), "CNA305") == []


def test_a_finding_in_a_helper_class_names_this_instance_and_groups_in_text():
    path = MODELS / "helper_instances.py"
    findings = _findings(f"{path}:Net", (3, 32, 32), "CNA202")
    assert [f.layer for f in findings] == ["up1.conv", "up2.conv", "up3.conv"]
    source = path.read_text().splitlines()
    for finding in findings:
        assert "nn.Conv2d" in source[finding.line - 1]  # the line inside the helper class
        instance = finding.instance["line"]
        assert f"self.{finding.layer.split('.')[0]} = Upsample(" in source[instance - 1]
    out = CliRunner().invoke(main, ["lint", f"{path}:Net", "-i", "3,32,32", "--select",
                                    "CNA202", "--no-cache"]).output
    assert "×3 (up1.conv, up2.conv … up3.conv)" in out
    assert out.count("CNA202") == 1
    data = json.loads(CliRunner().invoke(main, ["lint", f"{path}:Net", "-i", "3,32,32",
                                                "--select", "CNA202", "--format", "json",
                                                "--no-cache"]).output)
    assert len(data["findings"]) == 3 and data["findings"][0]["instance"]["line"]


def test_errors_come_first_and_statistics_count_per_rule():
    spec = f"{MODELS / 'helper_instances.py'}:Net"
    runner = CliRunner()
    out = runner.invoke(main, ["lint", spec, "-i", "3,32,32", "--no-cache"]).output.splitlines()
    severities = [line.split("[")[1].split("]")[0] for line in out if " [" in line]
    order = {"error": 0, "warning": 1, "suggestion": 2}
    assert severities == sorted(severities, key=order.get)
    stats = runner.invoke(main, ["lint", spec, "-i", "3,32,32", "--statistics",
                                 "--no-cache"]).output
    assert "3  CNA202  bias-before-bn [warning]" in stats
    by_line = runner.invoke(main, ["lint", spec, "-i", "3,32,32", "--sort", "line",
                                   "--no-cache"]).output.splitlines()
    lines = [int(line.split(":")[1]) for line in by_line if " [" in line]
    assert lines == sorted(lines)


def test_findings_inside_an_installed_library_are_not_placed_in_the_repository():
    from cnnaudit.rendering.sarif import to_sarif

    report = cnnaudit.lint("torchvision.models:vgg11", (3, 64, 64), select=["CNA301"])
    sarif = to_sarif([report])
    [result] = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert "uriBaseId" not in location and location["uri"].startswith("file:///")
    assert location["uri"].endswith("torchvision/models/vgg.py")
    assert result["properties"]["external"] is True


def test_layer_names_a_person_can_find():
    from conftest import ROOT

    spec = f"{ROOT / 'tests' / 'wild' / 'bugs' / 'pytorch_9076_dcgan_bn.py'}:Net"
    out = CliRunner().invoke(main, ["lint", spec, "-i", "1,28,28", "--no-cache"]).output
    # main.6 is reached in code as main[6]: shown so, with its class
    assert "CNA103 [error] main.6 (main[6], BatchNorm2d): " in out
    spec = f"{ROOT / 'rules' / 'CNA207' / 'bad.py'}:Net"
    out = CliRunner().invoke(main, ["lint", spec, "-i", "1,28,28", "--no-cache"]).output
    assert "CNA207 [warning] dropout (F.dropout): " in out  # a functional op: its function
