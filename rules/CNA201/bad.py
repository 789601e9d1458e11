"""CNA201 bn-order: ReLU between the conv and its BatchNorm."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.bn1(F.relu(self.conv1(x)))  # expect: CNA201
        return self.fc(x.mean((2, 3)))
