"""CNA501 loss-at-init: NLLLoss on raw scores (the head has no log_softmax)."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"loss": "nll"}  # the training script's nn.NLLLoss()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 14 * 14, 10)  # expect: CNA501

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(x.flatten(1))  # raw scores: NLL needs log-probabilities
