"""The command line: formats, exit codes, one-line errors, lazy imports."""

import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MODELS, ROOT, line_of, run_cli

from cnnaudit.cli import main

CHEATSHEET = "examples/cheatsheet_net.py:Net"
BROKEN = "tests/models/broken_models.py"
GOLDEN = Path(__file__).parent / "golden"


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_does_not_import_torch():
    code = (
        "import sys\n"
        "from cnnaudit.cli import main\n"
        "try:\n    main(['summary', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('torch imported' if 'torch' in sys.modules else 'torch not imported')\n"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "--input-size" in out.stdout
    assert out.stdout.strip().endswith("torch not imported")


def test_summary_table_matches_golden_output():
    """Regenerate deliberately with CNNAUDIT_REGEN_GOLDEN=1, never by hand."""
    result = invoke("summary", CHEATSHEET, "--input-size", "1,28,28", "--batch-size", "64")
    assert result.exit_code == 0
    golden = GOLDEN / "cheatsheet_summary.txt"
    if os.environ.get("CNNAUDIT_REGEN_GOLDEN"):
        golden.write_text(result.output)
    assert result.output == golden.read_text()


def test_table_contents():
    result = invoke("summary", CHEATSHEET, "-i", "1,28,28")
    fc1_line = line_of(ROOT / "examples/cheatsheet_net.py", "self.fc1 = nn.Linear")
    assert f"examples/cheatsheet_net.py:{fc1_line}" in result.output
    assert "28.81 K" in result.output  # fc1's 28,810 parameters
    assert "FLOPs (2 × MACs)" in result.output


def test_json_has_the_documented_stable_keys():
    result = invoke("summary", CHEATSHEET, "-i", "1,28,28", "--format", "json", "-b", "16")
    data = json.loads(result.output)
    assert data["schema_version"] == 1
    assert data["model"] == "Net" and data["input_shape"] == [1, 28, 28]
    assert data["device"] == "meta"
    assert {"params", "trainable_params", "macs", "flops", "activation_bytes",
            "param_bytes"} <= set(data["totals"])
    assert data["totals"]["params"] == 30790 and isinstance(data["totals"]["macs"], int)
    layer = data["layers"][0]
    assert {"name", "type", "output_shape", "params", "macs", "activation_bytes", "file",
            "line"} <= set(layer)
    assert layer["name"] == "conv1" and layer["output_shape"] == [2, 10, 26, 26]
    assert data["training_memory"]["batch_size"] == 16


def test_json_is_the_api_to_dict():
    import cnnaudit

    result = invoke("summary", CHEATSHEET, "-i", "1,28,28", "--format", "json")
    api = cnnaudit.summary(CHEATSHEET, (1, 28, 28)).to_dict()
    assert json.loads(result.output) == json.loads(json.dumps(api))


def test_csv_rows_are_the_layers():
    result = invoke("summary", CHEATSHEET, "-i", "1,28,28", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows][:3] == ["conv1", "bn1", "relu"]
    assert rows[0]["output_shape"] == "2x10x26x26" and rows[0]["macs"] == str(26 * 26 * 10 * 9)


def test_markdown_is_a_github_table():
    result = invoke("summary", CHEATSHEET, "-i", "1,28,28", "--format", "markdown")
    assert "| Layer " in result.output and "|---" in result.output.replace(":", "")
    assert "FLOPs (2 × MACs)" in result.output


def test_memory_budget_prints_the_largest_batch():
    result = invoke("summary", CHEATSHEET, "-i", "1,28,28", "--memory-budget", "8GiB")
    assert "largest batch within 8.00 GiB:" in result.output


def test_forward_failure_prints_the_table_so_far_and_one_line_exit_1():
    result = invoke("summary", f"{BROKEN}:FlattenMismatch", "-i", "1,28,28")
    assert result.exit_code == 1
    assert "conv2" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"{BROKEN}:{line_of(MODELS / 'broken_models.py', 'self.fc1 =')}: ")
    assert "expects 2880 input features but receives 2420" in last


@pytest.mark.parametrize("args, expected", [
    (["missing.py:Net", "-i", "1,28,28"], "cnnaudit: error: no such file: missing.py"),
    ([f"{BROKEN}:Nope", "-i", "1,28,28"], "has no attribute 'Nope'"),
    (["tests/models/syntax_error.py:Net", "-i", "1,28,28"],
     "tests/models/syntax_error.py:4: syntax error"),
    (["tests/models/import_error.py:Net", "-i", "1,28,28"],
     "tests/models/import_error.py:3: importing the model file failed: ZeroDivisionError"),
    ([f"{BROKEN}:NeedsArgs", "-i", "8"], "--model-args num_classes=..."),
    ([f"{BROKEN}:NotAModule", "-i", "8"], "not an nn.Module"),
    ([CHEATSHEET, "-i", "1,28"], None),  # see below: runs, the conv rejects 3-D input
    ([CHEATSHEET, "-i", "1,x,28"], "malformed --input-size '1,x,28'"),
    ([CHEATSHEET, "-i", "1,28,28", "-a", "width"], "malformed --model-args 'width'"),
    ([CHEATSHEET, "-i", "1,28,28", "--memory-budget", "lots"], "malformed memory size"),
    (["torchvision.models:resnet18"], "pass --input-size 3,H,W"),
])
def test_bad_input_is_one_line_and_exit_2(args, expected):
    result = run_cli("summary", *args)
    if expected is None:
        assert result.returncode in (1, 2)
        assert "Traceback" not in result.stderr + result.stdout
        return
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert expected in result.stderr


def test_debug_shows_the_traceback():
    result = run_cli("summary", "missing.py:Net", "-i", "1,28,28", "--debug")
    assert "Traceback" in result.stderr and result.returncode != 0


def test_inferred_input_size_is_said_on_stderr():
    result = run_cli("summary", CHEATSHEET)
    assert result.returncode == 0
    assert "input size inferred" in result.stderr
    assert "input size inferred" not in result.stdout


def test_lint_names_the_model_of_a_load_error_once():
    spec = f"{MODELS / 'broken_models.py'}:Constant"
    result = CliRunner().invoke(main, ["lint", spec, "--input-size", "1,8,8"])
    assert result.exit_code == 2
    assert result.output.count("broken_models.py:Constant") == 1
    assert "is an int, not an nn.Module" in result.output
