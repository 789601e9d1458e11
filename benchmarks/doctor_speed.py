"""How long the doctor takes (issue 23's targets, this machine's CPU, 2 threads):

- the cheatsheet net on the bundled digits: under 30 s in full, under 10 s
  with --quick;
- torchvision's resnet18 at 3×64×64 on synthetic data: under 2 minutes.

Each through the CLI as a user runs it (`cnnaudit doctor ... --quiet`), so the
time includes Python and torch starting; best of --repeats. Exit 1 when a
target is missed.

    python benchmarks/doctor_speed.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("cheatsheet net, digits", ["examples/cheatsheet_net.py:Net", "-i", "1,28,28"], 30),
    ("cheatsheet net, digits, --quick",
     ["examples/cheatsheet_net.py:Net", "-i", "1,28,28", "--quick"], 10),
    ("resnet18 3×64×64, synthetic",
     ["torchvision.models:resnet18", "-i", "3,64,64", "-a", "num_classes=10"], 120),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    cli = [sys.executable, "-m", "cnnaudit", "doctor"]
    missed = 0
    print(f"| run | best of {args.repeats} (s) | target (s) | |")
    print("|---|---|---|---|")
    for label, spec_args, target in CASES:
        times = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            done = subprocess.run([*cli, *spec_args, "--quiet", "--exit-zero"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - began)
            if done.returncode != 0:
                print(done.stdout[-2000:], done.stderr[-2000:])
                return 2
        best = min(times)
        missed += best > target
        print(f"| {label} | {best:.1f} | {target} | {'met' if best <= target else 'MISSED'} |",
              flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
