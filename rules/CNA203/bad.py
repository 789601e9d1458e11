"""CNA203 dropout-before-bn: the dropout feeds the second BatchNorm."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.drop = nn.Dropout2d(0.25)  # expect: CNA203
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.bn2(self.drop(x))
        return self.fc(x.mean((2, 3)))
