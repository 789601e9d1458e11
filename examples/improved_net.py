"""The cheatsheet's network with its own advice applied.

- Convolutions feeding BatchNorm carry no bias (BatchNorm's shift replaces it).
- ``x.flatten(1)`` instead of ``x.view(-1, 2880)``: the batch dimension can
  never be folded into the features.
- Global average pooling instead of the 2,880 → 10 fully-connected head
  (the cheatsheet's technique 4): the head drops from 28,810 parameters to 210.
- A third 3×3 convolution widens the receptive field that the smaller head
  no longer provides; channel counts are multiples of 8 past the stem.
"""

import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, bias=False)  # 28 → 26
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, bias=False)  # 26 → 24
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2, 2)  # 24 → 12
        self.conv3 = nn.Conv2d(16, 32, kernel_size=3, bias=False)  # 12 → 10
        self.bn3 = nn.BatchNorm2d(32)
        self.dropout = nn.Dropout2d(p=0.1)
        self.gap = nn.AdaptiveAvgPool2d(1)  # 32×10×10 → 32×1×1
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = self.dropout(F.relu(self.bn3(self.conv3(x))))
        x = self.gap(x).flatten(1)
        return F.log_softmax(self.fc(x), dim=-1)
