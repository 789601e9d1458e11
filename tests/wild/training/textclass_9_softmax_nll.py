"""A text classifier ending in softmax, trained with NLLLoss: "the loss is always negative".

Source: https://github.com/AnubhavGupta3377/Text-Classification-Models-Pytorch/issues/9
(the Transformer model's last layer is nn.Softmax and the training uses
nn.NLLLoss, which takes log-probabilities: the loss is always negative; the
fix named: log_softmax). Reproduced as its head: an embedding bag and a
linear layer into Softmax.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (64,)
EXPECT = {"CNA501"}
DOCTOR_OPTIONS = {"loss": "nll", "data": "synthetic"}


class Net(nn.Module):
    def __init__(self, features=64, classes=4):
        super().__init__()
        self.hidden = nn.Linear(features, 32)
        self.fc = nn.Linear(32, classes)  # expect: CNA501
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.fc(torch.relu(self.hidden(x))))


def reproduce():
    torch.manual_seed(0)
    loss = nn.NLLLoss()(Net()(torch.randn(32, 64)), torch.randint(0, 4, (32,)))
    assert loss.item() < 0, loss
    return f"NLLLoss on softmax output: {loss.item():.3f}"
