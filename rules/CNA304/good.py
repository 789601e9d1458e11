"""CNA304 large-kernel, fixed: two stacked 3×3 convolutions, same 5×5 receptive field."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 32, 32)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv_a = nn.Conv2d(16, 16, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.conv_b = nn.Conv2d(16, 16, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.stem(x)))
        x = F.relu(self.bn2(self.conv_a(x)))
        x = F.relu(self.bn3(self.conv_b(x)))
        return self.fc(x.mean((2, 3)))
