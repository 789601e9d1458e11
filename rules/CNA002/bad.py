"""CNA002 unused-suppression: the conv has no bias any more; the comment stayed."""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, bias=False)  # cnnaudit: ignore[CNA202]  # expect: CNA002
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        return self.head(self.bn(self.conv(x)).relu().mean((2, 3)))
