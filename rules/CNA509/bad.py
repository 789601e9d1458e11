"""CNA509 input-scale: the digits fed as raw 0–255 pixels."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


def data():
    """The bundled digits as stored (uint8 pixels), cast to float: no ToTensor, no Normalize."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    return images[:, None].astype(np.float32), labels


class Net(nn.Module):  # expect: CNA509
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(x.flatten(1))
