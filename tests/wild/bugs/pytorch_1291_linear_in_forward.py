"""Layers constructed inside forward: never registered, never trained.

Source: https://github.com/pytorch/pytorch/issues/1291 (ThreeLayerNet with
torch.nn.Linear(D_in, H)(x) in forward: list(model.parameters()) is empty).
Plain torch check: the model has no parameters, and two calls differ.
"""
import torch

INPUT_SIZE = (1000,)
EXPECT = {"CNA209"}
CRASH = None
D_in, H, D_out = 1000, 100, 10


def reproduce(model, torch):
    assert list(model.parameters()) == []
    x = torch.randn(2, *INPUT_SIZE)
    assert not torch.equal(model(x), model(x))  # new random weights at every call


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        h_relu = torch.nn.Linear(D_in, H)(x).clamp(min=0)
        h_relu = torch.nn.Linear(H, H)(h_relu).clamp(min=0)
        return torch.nn.Linear(H, D_out)(h_relu)
