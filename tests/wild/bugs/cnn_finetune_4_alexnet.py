"""AlexNet's features on inputs too small for its three max-pools.

Source: https://github.com/creafz/pytorch-cnn-finetune/issues/4 ("Given input
size: (256x1x1). Calculated output size: (256x0x0). Output size is too
small" in AlexNet's features). Reconstructed with torchvision's AlexNet
feature stack on CIFAR's 32×32 images.
"""
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA104"}
CRASH = "Output size is too small"


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Linear(256, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
