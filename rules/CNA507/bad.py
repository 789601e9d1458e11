"""CNA507 learning-rate: SGD at lr 10, meant for a loss summed over the batch, on its mean."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"optimizer": "sgd", "lr": 10.0}


class Net(nn.Module):  # expect: CNA507
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(x.flatten(1))
