import torch.nn as nn
import torchvision


class Upsample(nn.Module):  # a shared helper, as in a published restoration network
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x)).relu()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = Upsample(3, 16)
        self.up2 = Upsample(16, 16)
        self.up3 = Upsample(16, 16)
        self.head = nn.Conv2d(16, 10, 1)

    def forward(self, x):
        return self.head(self.up3(self.up2(self.up1(x)))).mean((2, 3))


class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = torchvision.models.vgg11(num_classes=10)

    def forward(self, x):
        return self.backbone(x)
