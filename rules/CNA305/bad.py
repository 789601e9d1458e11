"""CNA305 channel-alignment: 20 and 36 channels, not multiples of 8."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 3, bias=False)  # expect: CNA305
        self.bn1 = nn.BatchNorm2d(20)
        self.conv2 = nn.Conv2d(20, 36, 3, bias=False)  # expect: CNA305
        self.bn2 = nn.BatchNorm2d(36)
        self.fc = nn.Linear(36, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(x.mean((2, 3)))
