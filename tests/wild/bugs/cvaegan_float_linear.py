"""A Linear's in_features computed from imSize / 16 (a float).

Source: https://github.com/ToniCreswell/attribute-cVAEGAN/issues/3
(self.encLogVar = nn.Linear((fSize * 8) * inSize * inSize, nz) with
inSize = imSize / 2 ** 4; "constructor received an invalid combination of
arguments - got (int, float)").
"""
import torch.nn as nn

INPUT_SIZE = (3, 64, 64)
EXPECT_LOAD_ERROR = "in_features is 8192.0, a float"
CRASH = "tuple of ints"


class Net(nn.Module):
    def __init__(self, nz=100, imSize=64, fSize=64):  # noqa: N803 - the reporter's names
        super().__init__()
        inSize = imSize / (2 ** 4)  # noqa: N806
        self.enc1 = nn.Conv2d(3, fSize, 5, stride=2, padding=2)
        self.enc2 = nn.Conv2d(fSize, fSize * 2, 5, stride=2, padding=2)
        self.enc3 = nn.Conv2d(fSize * 2, fSize * 4, 5, stride=2, padding=2)
        self.enc4 = nn.Conv2d(fSize * 4, fSize * 8, 5, stride=2, padding=2)
        self.encLogVar = nn.Linear((fSize * 8) * inSize * inSize, nz)

    def forward(self, x):
        x = self.enc4(self.enc3(self.enc2(self.enc1(x).relu()).relu()).relu()).relu()
        return self.encLogVar(x.flatten(1))
