"""A head sized for one resolution (256×7×7) fed another (256×8×8).

Source: https://github.com/JonasGeiping/breaching/pull/33 ("mat1 and mat2
shapes cannot be multiplied (1x16384 and 12544x12544)" in convnet-beyond:
conv1 stride 2, conv3 stride 2, Flatten, linear0 = Linear(12544, 12544), run
on 32×32 images).
"""
from collections import OrderedDict

import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA101"}
CRASH = "mat1 and mat2 shapes cannot be multiplied"


class Net(nn.Sequential):
    def __init__(self, channels=3, classes=10):
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(channels, 32, 3, stride=2, padding=1)),
            ("relu0", nn.LeakyReLU()),
            ("conv2", nn.Conv2d(32, 64, 3, stride=1, padding=1)),
            ("relu1", nn.LeakyReLU()),
            ("conv3", nn.Conv2d(64, 128, 3, stride=2, padding=1)),
            ("relu2", nn.LeakyReLU()),
            ("conv4", nn.Conv2d(128, 256, 3, stride=1, padding=1)),
            ("relu3", nn.LeakyReLU()),
            ("flatt", nn.Flatten()),
            ("linear0", nn.Linear(12544, 12544)),
            ("relu4", nn.LeakyReLU()),
            ("linear1", nn.Linear(12544, classes)),
        ]))
