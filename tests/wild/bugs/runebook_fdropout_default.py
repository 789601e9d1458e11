"""F.dropout with its default training=True in a model's forward.

Source: https://runebook.dev/en/docs/pytorch/generated/torch.nn.functional.dropout
("model.eval()  # We are in evaluation mode, but dropout is still active!").
"""
import torch
import torch.nn.functional as F

INPUT_SIZE = (10,)
EXPECT = {"CNA207"}
CRASH = None


def reproduce(model, torch):
    model.eval()
    x = torch.randn(2, *INPUT_SIZE)
    outputs = {tuple(model(x).flatten().tolist()) for _ in range(8)}
    assert len(outputs) > 1  # random in evaluation


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(10, 1)

    def forward(self, x):
        x = F.dropout(x, p=0.5)
        return self.fc(x)
