"""Networks whose receptive fields test the computation where it is hardest
(issue 14): dilation, an encoder-decoder with upsampling and skips, and two
branches centred apart."""

import torch
import torch.nn.functional as F
from torch import nn


class DilatedStack(nn.Module):
    """3×3 convolutions dilated 1, 2, 4, 8 (a context module, Yu & Koltun 2016)."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(4 if i else 3, 4, 3, padding=d, dilation=d)
                                   for i, d in enumerate((1, 2, 4, 8)))

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return x


class UNetLike(nn.Module):
    """Two poolings down, a transposed convolution and a nearest upsampling
    back up, each joined with its skip by concatenation."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 4, 3, padding=1)
        self.enc2 = nn.Conv2d(4, 8, 3, padding=1)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.up2 = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.dec2 = nn.Conv2d(16, 4, 3, padding=1)
        self.dec1 = nn.Conv2d(8, 4, 3, padding=1)

    def forward(self, x):
        e1 = F.relu(self.enc1(x))
        e2 = F.relu(self.enc2(F.max_pool2d(e1, 2)))
        m = F.relu(self.mid(F.max_pool2d(e2, 2)))
        d2 = F.relu(self.dec2(torch.cat([self.up2(m), e2], 1)))
        up = F.interpolate(d2, scale_factor=2, mode="nearest")
        return self.dec1(torch.cat([up, e1], 1))


class TwoBranch(nn.Module):
    """Branch b sees the map padded on its top-left only: its field is
    centred one unit (2 input pixels) up and left of branch a's."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.a = nn.Conv2d(4, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 4, 3)

    def forward(self, x):
        x = F.relu(self.stem(x))
        return self.a(x) + self.b(F.pad(x, (2, 0, 2, 0)))
