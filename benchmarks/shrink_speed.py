"""How long `cnnaudit shrink` takes (issue 27's targets, this machine's CPU,
2 threads): the cheatsheet net to 10,000 parameters on the bundled digits,
under 3 minutes with the defaults (6 candidates, 400 steps × 3 seeds) and
under 1 minute with --quick (one seed). Through the CLI as a user runs it
(Python and torch starting included). Exit 1 when a target is missed.

    python benchmarks/shrink_speed.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ["examples/cheatsheet_net.py:Net", "-i", "1,28,28", "--max-params", "10000"]
CASES = [("defaults (400 steps × 3 seeds)", [], 180), ("--quick (one seed)", ["--quick"], 60)]


def main() -> int:
    env = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    missed = 0
    print("| run | seconds | target | | chosen | kept |")
    print("|---|---|---|---|---|---|")
    for label, extra, target in CASES:
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cnnaudit", "shrink", *SPEC, *extra,
                               "-f", "json", "--quiet"], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - began
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:])
            return 2
        data = json.loads(done.stdout)
        kept = [c["name"] for c in data["candidates"] if c["verdict"] == "kept"]
        missed += seconds > target
        print(f"| {label} | {seconds:.0f} | {target} | {'met' if seconds <= target else 'MISSED'} "
              f"| {data['chosen'] or '—'} | {', '.join(kept) or 'none'} |", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
