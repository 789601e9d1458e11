"""The hook's cost: ``pre-commit run --all-files`` on a project, cold (first
run: lints and fills the cache) and warm (nothing changed: every model is
answered from .cnnaudit_cache without importing torch). Medians of warm runs.

The project is a copy of this repository's examples/ and the good and bad
models of rules/, with a ``repo: local`` hook using this environment's cnnaudit.

    python benchmarks/precommit_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOK = """repos:
  - repo: local
    hooks:
      - id: cnnaudit
        name: cnnaudit
        entry: cnnaudit lint --exit-zero
        language: system
        types: [python]
        require_serial: true
"""
PYPROJECT = '[project]\nname = "bench"\nversion = "0"\n'


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(ROOT / "examples", repo / "examples")
        config = [PYPROJECT, "[tool.cnnaudit]\n"]
        for folder in sorted((ROOT / "rules").iterdir()):
            for name in ("bad.py", "good.py"):
                target = repo / "models" / f"{folder.name.lower()}_{name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text((folder / name).read_text())
        (repo / "pyproject.toml").write_text("".join(config) + 'input-size = "1,28,28"\n')
        (repo / ".pre-commit-config.yaml").write_text(HOOK)
        env = dict(os.environ)
        env.pop("CNNAUDIT_CACHE_DIR", None)
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
        env["PRE_COMMIT_HOME"] = str(Path(tmp) / "pre-commit-home")
        env["HOME"] = tmp

        def run(*command):
            started = time.perf_counter()
            out = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
            return time.perf_counter() - started, out

        run("git", "init", "-q")
        run("git", "add", "-A")
        command = (sys.executable, "-m", "pre_commit", "run", "--all-files")
        run(*command)  # pre-commit's own first-run setup, not ours
        shutil.rmtree(repo / ".cnnaudit_cache", ignore_errors=True)
        cold, out = run(*command)
        warm_runs = [run(*command) for _ in range(args.repeats)]
        warm = [seconds for seconds, _ in warm_runs]
        files = len(list(repo.rglob("*.py")))
        print(f"{files} files; cold (lint everything, fill the cache): {cold:.2f} s; warm "
              f"(nothing changed), median of {args.repeats}: {statistics.median(warm):.2f} s "
              f"(min {min(warm):.2f}, max {max(warm):.2f})")
        if out.returncode != 0:
            print(out.stdout[-2000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
