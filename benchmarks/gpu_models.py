"""Models the GPU check needs that no zoo has (benchmarks/gpu_check.py)."""

from torch import nn


class MemoryHog(nn.Module):
    """Much activation memory per sample for little arithmetic: a wide stem
    and a chain of SiLUs, each of which keeps its input for backward. At
    3×128×128 a sample holds about 34 MB per SiLU and costs 0.23 GMACs, so a
    batch that cannot fit a 140 GB card is a few hundred samples, and a step
    of it still takes milliseconds: what the out-of-memory back-off check
    needs."""

    def __init__(self, width: int = 512, depth: int = 8, num_classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.chain = nn.Sequential(*[nn.SiLU() for _ in range(depth)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.pool(self.chain(self.stem(x)))
        return self.fc(x.flatten(1))
