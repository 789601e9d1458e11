"""`cnnaudit shrink` on the project's example and on three MNIST networks
nobody here wrote (tests/wild/shrink and tests/wild/good/examples_mnist.py,
each citing its source), each to a budget of our choosing, with the command's
defaults (400 steps × 3 seeds on the bundled digits, CPU). Prints the markdown
table for docs/benchmarks.md and writes each run's JSON to
benchmarks/results/shrink_<name>.json.

    python benchmarks/shrink_wild.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("cheatsheet net (examples/)", "examples/cheatsheet_net.py:Net", 10_000),
    ("yunjey/pytorch-tutorial ConvNet", "tests/wild/shrink/yunjey_convnet.py:ConvNet", None),
    ("d2l.ai LeNet-5", "tests/wild/shrink/d2l_lenet.py:LeNet", None),
    # the same file lint's precision test reads; its budget here
    ("pytorch/examples MNIST Net", "tests/wild/good/examples_mnist.py:Net", 20_000),
]


def budget_of(spec: str) -> int:
    path = ROOT / spec.split(":")[0]
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.BUDGET


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    print("| network | original params | MACs | accuracy | shrunk to (budget) | params | MACs | "
          "accuracy | Δ [95 %] | verdict | time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, spec, budget in CASES:
        budget = budget or budget_of(spec)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "small.py"
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "cnnaudit", "shrink", spec, "-i", "1,28,28",
                 "--max-params", str(budget), "-o", str(out), "-f", "json", "--quiet",
                 *(["--quick"] if args.quick else [])],
                cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - began
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:])
            return 2
        data = json.loads(done.stdout)
        name = Path(spec.split(":")[0]).stem
        (results / f"shrink_{name}.json").write_text(json.dumps(data, indent=2))
        original = data["original"]
        chosen = next((c for c in data["candidates"] if c["name"] == data["chosen"]), None)
        best = chosen or max((c for c in data["candidates"] if c["difference"]),
                             key=lambda c: c["difference"]["difference"])
        diff = best["difference"]
        print(f"| {label} | {original['params']:,} | {original['macs']:,} | "
              f"{original['accuracy']:.1f} % | {best['name']} ({budget:,}) | {best['params']:,} | "
              f"{best['macs']:,} | {best['measured']['accuracy']:.1f} % | "
              f"{diff['difference']:+.1f} [{diff['low']:+.1f}, {diff['high']:+.1f}] | "
              f"{best['verdict']}{'' if chosen else ' (none kept; best shown)'} | "
              f"{seconds:.0f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
