"""VGG16's ImageNet classifier (nn.Linear(512 * 7 * 7, 4096)) on CIFAR's 32×32.

Source: https://github.com/pytorch/vision/issues/416 ("size mismatch at Vgg16":
the map is 512×1×1 at 32×32; fmassa: "Most of VGG takes 512 * 7 * 7 because they
expect the input size to be 224x224").
"""
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA101"}
CRASH = "mat1 and mat2 shapes cannot be multiplied"
CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        layers, channels = [], 3
        for v in CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(channels, v, kernel_size=3, padding=1), nn.ReLU(True)]
                channels = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)
