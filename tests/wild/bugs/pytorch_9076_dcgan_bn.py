"""A BatchNorm built for 128 channels after a conv that makes 256.

Source: https://github.com/pytorch/pytorch/issues/9076 (a DCGAN discriminator
for MNIST: "running_mean should contain 256 elements not 128" — the input's
channels first, the BatchNorm's num_features second, in torch's wording).
"""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA103"}
CRASH = "running_mean should contain 256 elements not 128"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(128, 256, 3, 2, 1, bias=False), nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(256, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1, 1)
