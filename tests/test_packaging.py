"""What `pip install cnnaudit` gets: the rule evidence and the sample digits
are inside the wheel, and `cnnaudit explain` shows the examples from there."""

import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--disable-pip-version-check", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (path,) = out.glob("cnnaudit-*.whl")
    return path


def test_the_wheel_holds_every_rules_evidence_and_the_digits(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in sorted(p for p in (ROOT / "rules").iterdir() if p.is_dir()):
        for example in ("bad.py", "good.py"):
            assert f"cnnaudit/linting/evidence/{folder.name}/{example}" in names
    assert "cnnaudit/training/sample_data/mnist_5k.npz" in names


def test_explain_from_the_installed_wheel_shows_the_examples(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sys, cnnaudit; from cnnaudit.cli import main\n"
            "print(cnnaudit.__file__)\nmain(['explain', 'CNA202'])")
    # Run outside the checkout, with only the unpacked wheel importable first.
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    first, text = out.stdout.split("\n", 1)
    assert first.startswith(str(site))
    assert "rules/CNA202/bad.py" in text and "rules/CNA202/good.py" in text
    assert (ROOT / "rules/CNA202/bad.py").read_text().strip().splitlines()[0] in text
