"""The real pre-commit (PyPI) in a temporary git repository: a flatten
mismatch is blocked with CNA101, the fix passes, and a re-run with nothing
changed is answered from the cache."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

BROKEN = textwrap.dedent('''
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.conv2 = nn.Conv2d(16, 32, 5, bias=False)
            self.bn2 = nn.BatchNorm2d(32)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(32 * 12 * 12, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.pool(F.relu(self.bn2(self.conv2(x))))
            return self.fc1(x.flatten(1))
''')
FIXED = BROKEN.replace("nn.Linear(32 * 12 * 12, 10)", "nn.Linear(32 * 11 * 11, 10)")
HOOK_CONFIG = textwrap.dedent('''
    repos:
      - repo: local
        hooks:
          - id: cnnaudit
            name: cnnaudit
            entry: cnnaudit lint
            language: system
            types: [python]
            require_serial: true
''')
PYPROJECT = textwrap.dedent('''
    [project]
    name = "team-models"
    version = "0"

    [tool.cnnaudit]
    input-size = "1,28,28"
    max-params = 200000
''')


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.fail("git is needed for the pre-commit test")
    monkeypatch.delenv("CNNAUDIT_CACHE_DIR", raising=False)  # the repo's own cache
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "net.py").write_text(BROKEN)
    (root / "models" / "utils.py").write_text("SCALE = 2\n")  # defines no model
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / ".pre-commit-config.yaml").write_text(HOOK_CONFIG)
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", HOME=str(tmp_path))

    def run(*args, check=False):
        return subprocess.run(list(args), cwd=root, env=env, capture_output=True, text=True,
                              timeout=300, check=check)

    run("git", "init", "-q", "-b", "main", check=True)
    run(sys.executable, "-m", "pre_commit", "install", check=True)
    return root, run


def test_precommit_blocks_the_mismatch_passes_the_fix_and_caches(repo):
    root, run = repo
    run("git", "add", "-A", check=True)
    blocked = run("git", "commit", "-q", "-m", "add net")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "CNA101" in output and "expects 4,608 input features but receives 3,872" in output
    assert "models/net.py:14:" in output  # the fc1 line

    (root / "models" / "net.py").write_text(FIXED)
    run("git", "add", "-A", check=True)
    passed = run("git", "commit", "-q", "-m", "add net")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    again = run(sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose")
    assert again.returncode == 0, again.stdout
    assert "1 of 1 from the cache" in again.stdout
    # the cache keeps itself out of git
    assert (root / ".cnnaudit_cache" / ".gitignore").read_text().strip().endswith("*")
    assert "cnnaudit_cache" not in run("git", "status", "--porcelain").stdout


def test_hook_manifest_is_valid():
    out = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                          str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


HELPER_NET = textwrap.dedent('''
    import torch.nn as nn
    import torch.nn.functional as F

    from .helpers import classifier


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.fc1 = classifier()

        def forward(self, x):
            return self.fc1(F.relu(self.bn1(self.conv1(x))).flatten(1))
''')
HELPERS = "import torch.nn as nn\n\n\ndef classifier():\n    return nn.Linear(16 * 26 * 26, 10)\n"


def test_precommit_with_a_helper_only_commit_and_a_typo_in_the_config(repo):
    """Staging only the helper a model is built from lints that model (it is not
    configured); a typo'd config value stops the commit at its pyproject line."""
    root, run = repo
    (root / "models" / "__init__.py").write_text("")
    (root / "models" / "net.py").write_text(HELPER_NET)
    (root / "models" / "helpers.py").write_text(HELPERS)
    run("git", "add", "-A", check=True)
    first = run("git", "commit", "-q", "-m", "a model built from a helper")
    assert first.returncode == 0, first.stdout + first.stderr

    (root / "models" / "helpers.py").write_text(HELPERS.replace("16 * 26 * 26", "16 * 24 * 24"))
    run("git", "add", "models/helpers.py", check=True)
    blocked = run("git", "commit", "-q", "-m", "only the helper")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0 and "CNA101" in output, output
    assert "models/helpers.py:5:" in output  # where the Linear is built
    run("git", "checkout", "models/helpers.py")
    run("git", "reset", "-q")

    with open(root / "pyproject.toml", "a") as handle:
        handle.write('fail-on = "Warning"\n')
    (root / "models" / "helpers.py").write_text(HELPERS + "\n")
    run("git", "add", "-A", check=True)
    typo = run("git", "commit", "-q", "-m", "a typo in the config")
    output = typo.stdout + typo.stderr
    assert typo.returncode != 0, output
    assert "pyproject.toml:9: [tool.cnnaudit] fail-on" in output and \
        "did you mean 'warning'?" in output, output


FIX_HOOK_CONFIG = HOOK_CONFIG.replace("id: cnnaudit\n", "id: cnnaudit-fix\n").replace(
    "entry: cnnaudit lint\n", "entry: cnnaudit lint --fix\n")
BIASED = FIXED.replace("nn.Conv2d(1, 16, 3, bias=False)", "nn.Conv2d(1, 16, 3)")


@pytest.mark.slow  # two commits through the real pre-commit: `make test-slow`
def test_the_fixing_hook_fixes_fails_the_commit_then_passes(repo):
    """As formatters do: the hook rewrites the file (a verified bias=False) and
    the commit fails because files changed; staging the fix, it passes."""
    root, run = repo
    (root / ".pre-commit-config.yaml").write_text(FIX_HOOK_CONFIG)
    (root / "models" / "net.py").write_text(BIASED)
    run("git", "add", "-A", check=True)
    first = run("git", "commit", "-q", "-m", "add net")
    assert first.returncode != 0, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout + first.stderr
    assert (root / "models" / "net.py").read_text() == BIASED.replace(
        "nn.Conv2d(1, 16, 3)", "nn.Conv2d(1, 16, 3, bias=False)")
    run("git", "add", "-A", check=True)
    second = run("git", "commit", "-q", "-m", "add net")
    assert second.returncode == 0, second.stdout + second.stderr
