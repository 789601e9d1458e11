"""CNA304 large-kernel: a 5×5 convolution past the stem."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 32, 32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv = nn.Conv2d(16, 16, 5, padding=2, groups=1, bias=False)  # expect: CNA304
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.stem(x)))
        x = F.relu(self.bn2(self.conv(x)))
        return self.fc(x.mean((2, 3)))
