"""CNA508 non-finite: log of a softmax that underflows to 0 on raw pixels."""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"loss": "nll"}


def data():
    """The bundled digits as stored (uint8 pixels), cast to float: no ToTensor, no Normalize."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    return images[:, None].astype(np.float32), labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        probs = F.softmax(self.fc(x.flatten(1)), dim=1)
        return torch.log(probs)  # expect: CNA508
