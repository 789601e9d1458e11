"""A float stride reaching F.conv2d in forward.

Source: https://github.com/OSVAI/ODConv/issues/17 ("conv2d() received an
invalid combination of arguments - got (..., stride=float, ...)"; the
maintainer: "use int() to convert the float value").
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (16, 32, 32)
EXPECT = {"CNA001"}
CRASH = "received an invalid combination of arguments"


class Net(nn.Module):
    def __init__(self, in_planes=16, out_planes=32, kernel_size=3, reduction=2):
        super().__init__()
        self.stride = 2 / reduction * 2 / 2  # 1.0: computed, and a float
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.randn(out_planes, in_planes, kernel_size, kernel_size))
        self.fc = nn.Linear(out_planes, 10)

    def forward(self, x):
        x = F.conv2d(x, weight=self.weight, bias=None, stride=self.stride, padding=self.padding)
        return self.fc(x.mean((2, 3)))
