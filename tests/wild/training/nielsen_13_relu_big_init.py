"""Nielsen's network with sigmoid swapped for ReLU: accuracy stuck at 9.5 %.

Source: https://github.com/MichalDanielDobrzanski/DeepLearningPython/issues/13
("replace sigmoid with relu, but useless": "Epoch 0: 401 / 4200, Accuracy
score: 0.0954 ..."; answer: "Use a learning rate of 0.01 and initialize
weights and biases to a much smaller value ( * 0.1). Epoch 29 : 9677 /
10000"). Reproduced in torch: 784-30-10, weights and biases N(0, 1) as the
book's np.random.randn, quadratic cost on one-hot targets, SGD at the book's
rate of 3.0, on the bundled digits as 0–1 pixels. The doctor names the rate
through CNA504 (one step changes the output layer by 80× its norm) and the
ReLUs it kills (CNA505: all 30 dead after 10 steps); the range test (CNA507)
does not flag 3.0 (with every unit dead the quadratic loss plateaus instead
of rising).
"""
import torch
import torch.nn as nn

INPUT_SIZE = (784,)
EXPECT = {"CNA504"}
DOCTOR_OPTIONS = {"optimizer": "sgd", "lr": 3.0, "loss": "mse"}


def data():
    """The digits flattened, scaled to 0–1 (the book's mnist_loader)."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    return images.reshape(len(images), 784).astype(np.float32) / 255, labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 30)
        self.out = nn.Linear(30, 10)  # expect: CNA504
        for p in self.parameters():
            nn.init.normal_(p)  # np.random.randn

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


def reproduce():
    x, y = data()
    x, y = torch.from_numpy(x), torch.from_numpy(y).long()
    torch.manual_seed(0)
    net = Net()
    optimizer = torch.optim.SGD(net.parameters(), lr=3.0)
    for step in range(300):
        index = torch.arange(step * 10, step * 10 + 10) % len(x)
        target = nn.functional.one_hot(y[index], 10).float()
        loss = nn.functional.mse_loss(net(x[index]), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (net(x).argmax(1) == y).float().mean().item()
    assert accuracy < 0.25, accuracy
    return f"accuracy {accuracy:.1%} after 300 steps"
