"""3DMPPE PoseNet's demo feeds images not divided by 255: inputs in the hundreds and thousands.

Source: https://github.com/mks0601/3DMPPE_POSENET_RELEASE/issues/69 ("the
numbers of the input are not normally distributed, actually the original image
is still in pixels ... 1095.9734, 1087.0845"; the author: "this was my mistake
when I implemented this project"). Reproduced: a ResNet-style stem on images
at pixel scale, normalized with ImageNet's mean and std without the /255.
"""
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA509"}


def data():
    """Random 0–255 images 'normalized' as (x - mean) / std with mean/std on the 0–1 scale."""
    import numpy as np

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (512, 3, 32, 32)).astype(np.float32)
    mean = np.array([0.485, 0.456, 0.406], np.float32)[:, None, None]
    std = np.array([0.229, 0.224, 0.225], np.float32)[:, None, None]
    return (pixels - mean) / std, rng.integers(0, 10, 512)


class Net(nn.Module):  # expect: CNA509
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(self.pool(self.stem(x)).flatten(1))


def reproduce():
    x, _ = data()
    assert abs(float(x.mean())) > 100
    return f"input mean {float(x.mean()):.0f}, std {float(x.std()):.0f}"
