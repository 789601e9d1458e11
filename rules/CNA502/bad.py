"""CNA502 cannot-fit-batch: raw 0–255 pixels into sigmoid units, which saturate."""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"optimizer": "sgd", "lr": 0.01}


def data():
    """The bundled digits as stored (uint8 pixels), cast to float: no ToTensor, no Normalize."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    return images[:, None].astype(np.float32), labels


class Net(nn.Module):  # expect: CNA502
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, stride=2), nn.Sigmoid(),
            nn.Conv2d(16, 32, 5, stride=2), nn.Sigmoid(),
        )
        self.classifier = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.Sigmoid(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
