"""An ImageNet head (nn.AvgPool2d(7)) on CIFAR-10's 32×32 images.

Source: https://github.com/liuzechun/MetaPruning/issues/22 (mobilenet_v2 on
CIFAR-10: "Given input size: (1280x1x1). Calculated output size: (1280x0x0).
Output size is too small"). Shaped after torchvision-era MobileNetV2: a /32
stem-to-head stride, 1280 channels, nn.AvgPool2d(7).
"""
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA104"}
CRASH = "Output size is too small"


class Net(nn.Module):
    def __init__(self, n_class=10):
        super().__init__()
        channels = [3, 32, 64, 128, 256, 1280]
        layers = []
        for cin, cout in zip(channels, channels[1:]):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1, bias=False), nn.BatchNorm2d(cout),
                       nn.ReLU6(inplace=True)]
        self.features = nn.Sequential(*layers, nn.AvgPool2d(7))
        self.classifier = nn.Linear(1280, n_class)

    def forward(self, x):
        return self.classifier(self.features(x).view(-1, 1280))
