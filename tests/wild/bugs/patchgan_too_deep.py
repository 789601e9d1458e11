"""A PatchGAN discriminator with more stride-2 4×4 layers than the image allows.

Source: https://github.com/Ha0Tang/SelectionGAN/issues/5 and
https://github.com/avalonstrel/GatedConvolution_pytorch/issues/31 (256×256
images: "Calculated padded input size per channel: (3 x 3). Kernel size:
(4 x 4). Kernel size can't be greater than actual input size"). Shaped after
pix2pix's NLayerDiscriminator (kw=4, padw=1) with n_layers=8, which reaches
exactly that 1×1 map, 3×3 once padded.
"""
import torch.nn as nn

INPUT_SIZE = (3, 256, 256)
EXPECT = {"CNA104"}
CRASH = "Kernel size can't be greater than actual input size"


class Net(nn.Module):
    def __init__(self, input_nc=3, ndf=64, n_layers=8):
        super().__init__()
        layers = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers):
            previous, mult = mult, min(2 ** n, 8)
            layers += [nn.Conv2d(ndf * previous, ndf * mult, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(ndf * mult), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)
