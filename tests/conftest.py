import os
import sys
from pathlib import Path

import pytest

# Under pytest-xdist (make test: one worker per core) each worker and the
# processes it starts compute on one thread: two workers with torch's default of
# a thread per core would fight over the same two cores.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
MODELS = Path(__file__).resolve().parent / "models"
EXAMPLES = ROOT / "examples"


def line_of(path, marker: str) -> int:
    """The 1-based line of ``path`` that contains ``marker`` (exactly one)."""
    lines = [i for i, text in enumerate(Path(path).read_text().splitlines(), 1) if marker in text]
    assert len(lines) == 1, f"{marker!r} occurs {len(lines)} times in {path}"
    return lines[0]


@pytest.fixture
def models_dir():
    return MODELS


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch, tmp_path):
    # Display paths are relative to the working directory.
    monkeypatch.chdir(ROOT)
    # Each test starts with an empty result cache of its own.
    monkeypatch.setenv("CNNAUDIT_CACHE_DIR", str(tmp_path / "cnnaudit_cache"))


def run_cli(*args, env=None):
    """Run the real console entry point in a subprocess."""
    import subprocess

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "cnnaudit", *args], capture_output=True, text=True, cwd=ROOT,
        env=full_env, timeout=300,
    )
