"""Lint time: what the rules add to the trace they read.

Loads the model once, then alternates: trace alone (what `summary` does), and
the rules on a fresh trace's graph; medians of ``--repeats``. The rules' share
is rules / trace.

    python benchmarks/lint_overhead.py [--model resnet50] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from cnnaudit.linting import LintContext, LintOptions
    from cnnaudit.linting.rules import all_rules
    from cnnaudit.load import load
    from cnnaudit.trace import trace

    loaded = load(f"torchvision.models:{args.model}")
    shapes = [(3, args.size, args.size)]
    rules = all_rules()
    trace_times, rule_times, findings = [], [], 0
    for _ in range(args.repeats + 1):  # the first round warms up
        started = time.perf_counter()
        graph = trace(loaded.model, shapes, sites=loaded.sites)
        traced = time.perf_counter()
        context = LintContext(loaded, graph, shapes, LintOptions())
        findings = sum(len(list(rule.check(context) or ())) for rule in rules)
        done = time.perf_counter()
        trace_times.append(traced - started)
        rule_times.append(done - traced)
    t, r = statistics.median(trace_times[1:]), statistics.median(rule_times[1:])
    print(f"{args.model} at {args.size}×{args.size}: trace {t * 1000:.1f} ms, "
          f"{len(rules)} rules {r * 1000:.1f} ms ({r / t:.1%} of the trace), "
          f"{findings} raw findings before ranking")
    return 0


if __name__ == "__main__":
    sys.exit(main())
