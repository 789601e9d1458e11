"""CNA303 bottleneck: a 3×3 convolution 256 channels wide on both sides."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 32, 32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 256, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(256)
        self.conv = nn.Conv2d(256, 256, 3, padding=1, bias=False)  # expect: CNA303
        self.bn2 = nn.BatchNorm2d(256)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.stem(x)))
        x = F.relu(self.bn2(self.conv(x)))
        return self.fc(x.mean((2, 3)))
