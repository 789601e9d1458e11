"""A language model trained with Adam at lr 1.0: "the loss during training didn't really went down".

Source: https://github.com/rajveermalviya/language-modeling/issues/3 ("I think
this is because you use learning rate of 1.0 in the config file. After I use
Adam optimizer with it's default learning rate (which is 0.001), the training
get much better"; the author changed the config). Reproduced as a small
next-token classifier (embedding bag over a context window, a hidden layer,
the vocabulary's logits) with Adam at 1.0. The doctor names the rate
through CNA504 (one step changes the decoder's weights by 20× their norm);
the range test (CNA507) does not flag it — a few ramp steps near 1.0 do not
diverge, the 200 steps of the report's training do not converge.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (64,)
EXPECT = {"CNA504"}
DOCTOR_OPTIONS = {"optimizer": "adam", "lr": 1.0, "data": "synthetic"}


class Net(nn.Module):
    def __init__(self, features=64, hidden=128, vocabulary=32):
        super().__init__()
        self.hidden = nn.Linear(features, hidden)
        self.decoder = nn.Linear(hidden, vocabulary)  # expect: CNA504

    def forward(self, x):
        return self.decoder(torch.tanh(self.hidden(x)))


def reproduce():
    from cnnaudit.training.data import synthetic

    data = synthetic((64,), 32, seed=0)
    losses = {}
    for lr in (1.0, 1e-3):
        torch.manual_seed(0)
        net = Net()
        optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        for step in range(200):
            index = torch.arange(step * 32, step * 32 + 32) % len(data.train_x)
            loss = nn.functional.cross_entropy(net(data.train_x[index]), data.train_y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses[lr] = loss.item()
    assert losses[1.0] > 2 * losses[1e-3], losses
    return f"loss after 200 steps: lr 1.0 {losses[1.0]:.2f}, lr 1e-3 {losses[1e-3]:.2f}"
