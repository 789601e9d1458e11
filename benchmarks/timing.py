"""The one timing helper the benchmark scripts share (they run as scripts:
their folder is on sys.path)."""

from __future__ import annotations

import time


def best_of(repeats: int, run) -> float:
    """The fastest of ``repeats`` runs of ``run()``, in seconds: on a shared
    machine the minimum is the least disturbed measurement."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)
