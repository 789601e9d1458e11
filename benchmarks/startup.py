"""Whole-process cost: ``cnnaudit summary`` of a small model against
``python -c "import torch"``, medians of alternating runs.

    python benchmarks/startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = {
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    # The import alone, without the interpreter's teardown (which the CLI skips).
    "python -c 'import torch, os; os._exit(0)'": [sys.executable, "-c",
                                                  "import torch, os; os._exit(0)"],
    "cnnaudit summary examples/cheatsheet_net.py:Net -i 1,28,28": [
        sys.executable, "-m", "cnnaudit", "summary", "examples/cheatsheet_net.py:Net",
        "-i", "1,28,28"],
    "cnnaudit --help": [sys.executable, "-m", "cnnaudit", "--help"],
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times = {label: [] for label in COMMANDS}
    for _ in range(args.repeats):
        for label, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            times[label].append(time.perf_counter() - started)
    base = statistics.median(times["python -c 'import torch'"])
    print("| command | median (s) | minus `import torch` (s) |")
    print("|---|---|---|")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"| `{label}` | {median:.3f} | {median - base:+.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
