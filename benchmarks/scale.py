"""Scale: a model holding 12.8 billion parameters (51 GB of float32 weights),
summarized with exact counts, and the process's peak memory.

The model: a 3×3 conv to 4096 channels at 56×56, flattened into a
``Linear(4096 * 56 * 56, 1000)`` head. Run in a child process so that its
peak resident memory (ru_maxrss) is its own.

    python benchmarks/scale.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

MODEL = textwrap.dedent('''
    import torch.nn as nn


    class Huge(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4096, 3, padding=1)
            self.fc = nn.Linear(4096 * 56 * 56, 1000)

        def forward(self, x):
            return self.fc(self.conv(x).flatten(1))
''')

CHILD = textwrap.dedent('''
    import json, resource, sys, time
    started = time.perf_counter()
    import cnnaudit
    result = cnnaudit.summary(sys.argv[1] + ":Huge", (3, 56, 56), batch_size=1)
    print(json.dumps({
        "params": result.totals.params,
        "macs": result.totals.macs,
        "param_bytes": result.totals.param_bytes,
        "training_total_bytes": result.training_memory.total_bytes,
        "seconds": time.perf_counter() - started,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))
''')


def main() -> int:
    expected_params = 3 * 4096 * 9 + 4096 + 4096 * 56 * 56 * 1000 + 1000
    expected_macs = 56 * 56 * 4096 * 27 + 4096 * 56 * 56 * 1000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "huge.py")
        with open(path, "w") as handle:
            handle.write(MODEL)
        out = subprocess.run([sys.executable, "-c", CHILD, path], check=True,
                             capture_output=True, text=True)
    data = json.loads(out.stdout)
    print(json.dumps(data, indent=2))
    exact = data["params"] == expected_params and data["macs"] == expected_macs
    print(f"params {data['params']:,} (exact: {data['params'] == expected_params}), "
          f"MACs {data['macs']:,} (exact: {data['macs'] == expected_macs}), "
          f"weights {data['param_bytes'] / 1e9:.1f} GB, "
          f"peak RSS {data['peak_rss_bytes'] / 2**30:.2f} GiB, {data['seconds']:.2f} s")
    return 0 if exact and data["peak_rss_bytes"] < 3 * 2**30 else 1


if __name__ == "__main__":
    sys.exit(main())
