"""CNA508 non-finite, fixed: normalized inputs and log_softmax (stable: no log of 0)."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"loss": "nll"}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return F.log_softmax(self.fc(x.flatten(1)), dim=1)
