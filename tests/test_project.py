"""Daily use in a project: [tool.cnnaudit] config, FILE discovery, the result
cache, and baselines."""

import json
import subprocess
import sys
import textwrap

import pytest

from cnnaudit.cli.config import load_config
from cnnaudit.errors import CnnauditError

NET = textwrap.dedent('''
    import torch.nn as nn
    import torch.nn.functional as F
    from .blocks import conv_bn


    class Net(nn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.block = conv_bn(1, 16)
            self.fc = nn.Linear(16 * 26 * 26, num_classes)

        def forward(self, x):
            return self.fc(F.relu(self.block(x)).flatten(1))
''')
BLOCKS = textwrap.dedent('''
    import torch.nn as nn


    def conv_bn(c_in, c_out):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, bias=False), nn.BatchNorm2d(c_out))


    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.conv = nn.Conv2d(width, width, 3)

        def forward(self, x):
            return self.conv(x)
''')


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "models" / "__init__.py").write_text("")
    (root / "models" / "net.py").write_text(NET)
    (root / "models" / "blocks.py").write_text(BLOCKS)
    (root / "models" / "data.py").write_text("MEAN = 0.1307\n")
    (root / "pyproject.toml").write_text(textwrap.dedent('''
        [tool.cnnaudit]
        fail-on = "error"
        max-params = 100000
        max-sugestions = 3

        [tool.cnnaudit.models."models/net.py:Net"]
        input-size = "1,28,28"
        model-args = { num_classes = 10 }
    '''))
    monkeypatch.chdir(root)
    monkeypatch.delenv("CNNAUDIT_CACHE_DIR", raising=False)
    return root


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cnnaudit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_config_is_read_and_unknown_keys_are_named(project):
    config = load_config()
    assert config.lint == {"fail_on": "error", "max_params": 100000}
    assert config.models["models/net.py:Net"].model_args == {"num_classes": 10}
    assert config.models["models/net.py:Net"].input_sizes == [(1, 28, 28)]
    (warning,) = config.warnings
    assert "unknown key 'max-sugestions'" in warning and "'max-suggestions'" in warning


def test_bad_config_values_are_usage_errors(project):
    (project / "pyproject.toml").write_text('[tool.cnnaudit]\nmax-params = "many"\n')
    with pytest.raises(CnnauditError, match="max-params must be a int"):
        load_config()


def test_every_command_takes_its_options_from_its_table(project):
    """[tool.cnnaudit.summary] / .probe / .lint hold any option of that command,
    as click defaults: the command line still wins."""
    with open(project / "pyproject.toml", "a") as handle:
        handle.write('\n[tool.cnnaudit.summary]\ndepth = 0\nformat = "json"\n')
    out = cli("summary", "models/net.py:Net", cwd=project)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["depth"] == 0
    out = cli("summary", "models/net.py:Net", "--depth", "1", cwd=project)
    assert json.loads(out.stdout)["depth"] == 1


@pytest.mark.parametrize("table, key, value, message", [
    ("tool.cnnaudit", "fail-on", '"Warning"', "'Warning' is not one of"),
    ("tool.cnnaudit.probe", "steps", "0", "0 is not in the range x>=1"),
    ("tool.cnnaudit.summary", "batch-size", "-3", "-3 is not in the range x>=1"),
    ("tool.cnnaudit.lint", "max-suggestions", "-1", "-1 is not in the range x>=0"),
    ("tool.cnnaudit.shrink", "max-params", "0", "0 is not at least 1"),
    ("tool.cnnaudit.report", "depth", "0", "0 is not in the range x>=1"),
])
def test_config_values_are_checked_as_their_options_are(project, table, key, value, message):
    text = f"[{table}]\n{key} = {value}\n"
    (project / "pyproject.toml").write_text(text)
    command = table.rpartition(".")[2] if table != "tool.cnnaudit" else "lint"
    target = "models/net.py:Net" if command != "lint" else "models/net.py"
    out = cli(command, target, cwd=project)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("pyproject.toml:2: [tool.cnnaudit] " + key), out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr


def test_an_unknown_option_in_a_command_table_is_named(project):
    (project / "pyproject.toml").write_text("[tool.cnnaudit.probe]\nstep = 5\n")
    out = cli("probe", "models/net.py:Net", "--steps", "0", cwd=project)  # stops early
    assert "'step' is not an option of `cnnaudit probe` (did you mean 'steps'?)" in out.stderr


def test_budget_from_config_and_command_line_over_config(project):
    out = cli("lint", "models/net.py", "--format", "json", cwd=project)
    data = json.loads(out.stdout)
    assert [f["code"] for f in data["findings"] if f["code"].startswith("CNA4")] == ["CNA401"]
    assert out.returncode == 1  # an error, and fail-on = "error" from the config
    assert "unknown key 'max-sugestions'" in out.stderr
    out = cli("lint", "models/net.py", "--max-params", "1000000", "--format", "json",
              cwd=project)
    assert not [f for f in json.loads(out.stdout)["findings"] if f["code"] == "CNA401"]
    assert out.returncode == 0  # only suggestions left, below the config's fail-on


def test_files_stand_for_their_models_and_the_configured_models_importing_them(project):
    # blocks.py defines Block (needs an argument: skipped with a note) and is
    # imported by the configured models/net.py:Net, which is linted.
    out = cli("lint", "models/blocks.py", "--format", "json", cwd=project)
    data = json.loads(out.stdout)
    assert data["spec"] == "models/net.py:Net"
    assert "skipped models/blocks.py:Block: Block() needs arguments: width" in out.stderr
    # a file without a model, imported by none, is skipped: no model, no torch
    code = ("import sys\nfrom cnnaudit.cli import main\n"
            "try:\n    main(['lint', 'models/data.py'])\nexcept SystemExit as e:\n"
            "    print('exit', e.code)\nprint('TORCH' if 'torch' in sys.modules else 'NO TORCH')")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-2:] == ["exit 0", "NO TORCH"]


def test_unchanged_models_are_answered_from_the_cache_without_torch(project):
    first = cli("lint", "models/net.py", cwd=project)
    assert "from the cache" not in first.stdout
    assert (project / ".cnnaudit_cache" / ".gitignore").exists()
    code = ("import sys\nfrom cnnaudit.cli import main\n"
            "try:\n    main(['lint', 'models/net.py'])\nexcept SystemExit as e:\n"
            "    print('exit', e.code)\nprint('TORCH' if 'torch' in sys.modules else 'NO TORCH')")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                         text=True, check=True)
    assert "1 of 1 from the cache" in out.stdout
    assert out.stdout.strip().endswith("NO TORCH")
    assert first.stdout.splitlines()[:-1] == out.stdout.splitlines()[:-3]  # same findings


@pytest.mark.parametrize("change, old, new, invalidates", [
    ("models/blocks.py", "bias=False", "bias=False ", True),  # an imported file
    ("pyproject.toml", "max-params = 100000", "max-params = 100001", True),  # the config
    ("pyproject.toml", "fail-on", "# a comment\nfail-on", False),  # not the config's values
    ("models/data.py", "0.1307", "0.5", False),  # a project file the model does not import
])
def test_what_invalidates_the_cache(project, change, old, new, invalidates):
    cli("lint", "models/net.py", cwd=project)
    path = project / change
    path.write_text(path.read_text().replace(old, new, 1))
    again = cli("lint", "models/net.py", cwd=project)
    assert ("from the cache" not in again.stdout) == invalidates


def test_baseline_only_new_findings_fail_and_moving_code_keeps_them_old(project):
    baseline = project / "cnnaudit-baseline.json"
    out = cli("lint", "models/net.py", "--baseline", str(baseline), "--update-baseline",
              cwd=project)
    assert out.returncode == 0 and "Wrote" in out.stdout
    # Move the model down by three lines: nothing new.
    net = project / "models" / "net.py"
    net.write_text("\n\n\n" + net.read_text())
    out = cli("lint", "models/net.py", "--baseline", str(baseline), cwd=project)
    assert out.returncode == 0, out.stdout
    assert "in the baseline" in out.stdout
    # A new fault fails: a bias before the BatchNorm.
    blocks = project / "models" / "blocks.py"
    blocks.write_text(blocks.read_text().replace("3, bias=False)", "3)"))
    out = cli("lint", "models/net.py", "--baseline", str(baseline), "--fail-on", "warning",
              cwd=project)
    assert out.returncode == 1 and "CNA202" in out.stdout


def test_github_annotations_from_a_project(project):
    out = cli("lint", "models/net.py", "--format", "github", cwd=project)
    assert out.stdout.startswith("::error file=models/net.py,line=")
    assert "title=CNA401::" in out.stdout


def test_a_folder_stands_for_its_python_files(project):
    out = cli("lint", "models", "--format", "json", cwd=project)
    data = json.loads(out.stdout)
    assert data["spec"] == "models/net.py:Net"  # Block is skipped (needs arguments)
    assert "skipped models/blocks.py:Block" in out.stderr


def test_summary_uses_a_configured_models_input_size_and_arguments(project):
    out = cli("summary", "models/net.py:Net", "--format", "json", cwd=project)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["input_shape"] == [1, 28, 28]
    assert data["layers"][-1]["output_shape"] == [2, 10]  # num_classes = 10 from the config


def test_console_script_imports_package_specs_from_the_working_directory(project):
    import os

    script = os.path.join(os.path.dirname(sys.executable), "cnnaudit")
    out = subprocess.run([script, "summary", "models.net:Net", "-a", "num_classes=10", "-i",
                          "1,28,28", "--format", "json"], cwd=project,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["spec"] == "models.net:Net"


def test_a_model_file_that_does_not_parse_is_reported_and_the_rest_linted(project):
    (project / "models" / "broken.py").write_text("import torch.nn as nn\nclass Net(nn.Module)\n")
    out = cli("lint", "models/broken.py", "models/net.py", "--format", "json", cwd=project)
    assert out.returncode == 2
    assert "models/broken.py:2: syntax error" in out.stderr
    assert json.loads(out.stdout)["spec"] == "models/net.py:Net"
