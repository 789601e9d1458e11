"""A model far larger than its memory footprint: weights are never allocated."""

import json
import subprocess
import sys
import textwrap

MODEL = textwrap.dedent('''
    import torch.nn as nn


    class Big(nn.Module):
        """1.05 billion parameters: 4.2 GB of float32 weights."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 1024, 3, padding=1)
            self.fc = nn.Linear(1024 * 32 * 32, 1000)

        def forward(self, x):
            return self.fc(self.conv(x).flatten(1))
''')

CHILD = textwrap.dedent('''
    import json, resource, sys
    import torch
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    import cnnaudit
    result = cnnaudit.summary(sys.argv[1] + ":Big", (3, 32, 32))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"params": result.totals.params, "macs": result.totals.macs,
                      "growth": peak - baseline}))
''')


def test_billion_parameter_model_is_summarized_without_its_weights(tmp_path):
    path = tmp_path / "big.py"
    path.write_text(MODEL)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, check=True)
    data = json.loads(out.stdout)
    fc_params = 1024 * 32 * 32 * 1000 + 1000
    assert data["params"] == 3 * 1024 * 9 + 1024 + fc_params
    assert data["macs"] == 32 * 32 * 1024 * 27 + 1024 * 32 * 32 * 1000
    # 4.2 GB of weights; the process may grow by a small fraction of that.
    assert data["growth"] < 600 * 2**20, data
