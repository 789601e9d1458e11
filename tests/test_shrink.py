"""`cnnaudit shrink`: the candidates are what their plans count, see half the
input, lint clean; a model it cannot rebuild and a budget it cannot meet are one
line each, exit 2, nothing written; and the written file is a plain PyTorch
model whose accuracy, trained by a plain loop on digits shrink never saw,
agrees with shrink's own figure."""

from __future__ import annotations

import importlib.util
import inspect
import json
import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from conftest import MODELS, line_of

import cnnaudit
from cnnaudit.cli import main
from cnnaudit.shrinking.plans import candidate_plans, smallest_plan
from cnnaudit.shrinking.source import build, class_source

CHEATSHEET = ("examples/cheatsheet_net.py:Net", "-i", "1,28,28")
SHRINK_MODELS = MODELS / "shrink_models.py"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (3, 64, 64)])
def test_every_candidate_is_what_its_plan_counts(shape):
    """The plan's own arithmetic (parameters, MACs, receptive field) against
    the module its source builds, traced by cnnaudit's summary; the final map
    sees half the input (CNA210's criterion) and lint finds nothing wrong."""
    classes = 10
    budget = 12_000
    plans = candidate_plans(shape, classes, budget, None, flat_head=True)
    assert {p.name for p in plans} == {"gap", "transition", "separable", "deep", "small-head",
                                       "gap-half"}
    for plan in plans:
        source = class_source(plan, "Small", shape, "logits", "A candidate.")
        model = build(source, "Small", plan.name)
        summary = cnnaudit.summary(model, shape, depth=None)
        assert summary.totals.params == plan.params <= budget, plan.name
        assert summary.totals.macs == plan.macs, plan.name
        assert [t.shape for t in summary.graph.outputs] == [(2, classes)]
        field = summary.receptive
        assert min(field["size"]) == plan.receptive_field >= math.ceil(shape[1] / 2), plan.name
        report = cnnaudit.lint(model, shape)
        assert not [f for f in report.findings if f.severity in ("error", "warning")], \
            (plan.name, [f.message for f in report.findings])
        # past the stem (a depthwise conv keeps the width it is given)
        widths = [layer.out_channels for layer in plan.layers[1:] if layer.kind == "conv"
                  and layer.out_channels >= 8 and layer.role != "depthwise"]
        assert all(w % 8 == 0 for w in widths), (plan.name, widths)


def test_half_the_budget_gives_a_smaller_candidate_and_a_tiny_budget_none():
    plans = {p.name: p for p in candidate_plans((1, 28, 28), 10, 10_000, None, flat_head=False)}
    assert "small-head" not in plans  # only where the original reads a flattened map
    assert plans["gap-half"].params <= 5_000 < plans["gap"].params
    assert smallest_plan((1, 28, 28), 10) > 50
    assert candidate_plans((1, 28, 28), 10, 50, None, flat_head=True) == []


@pytest.mark.parametrize("name, construct, marker", [
    ("TwoBranches", "a concatenation (torch.cat)", "# shrink: concatenation"),
    ("ReadTwice", "a branch: conv's output is read twice", "# shrink: branch"),
    ("Residual", "a residual add", "# shrink: residual"),
    ("Segmenter", "an output that is not one score per class", "# shrink: per-pixel output"),
])
def test_a_model_it_cannot_rebuild_is_one_line_at_the_construct(tmp_path, name, construct,
                                                                marker):
    out = tmp_path / "small.py"
    result = cli("shrink", f"{SHRINK_MODELS}:{name}", "-i", "1,28,28", "--max-params", "1000",
                 "-o", out)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert construct in line
    assert f"shrink_models.py:{line_of(SHRINK_MODELS, marker)}:" in line
    assert not out.exists()


def test_a_torchvision_resnet_is_refused_at_its_residual_add():
    import torchvision.models.resnet as resnet

    result = cli("shrink", "torchvision.models:resnet18", "-i", "3,64,64", "--max-params",
                 "100000")
    assert result.exit_code == 2
    source, first = inspect.getsourcelines(resnet.BasicBlock.forward)
    add = first + next(i for i, text in enumerate(source) if "out += identity" in text)
    assert "a residual add" in result.stderr and f"resnet.py:{add}:" in result.stderr


@pytest.mark.parametrize("name, message", [
    ("TwoInputs", "shrink trains single-input models"),
    ("Perceptron", "has no convolution"),
])
def test_other_models_it_cannot_compose(name, message):
    args = ("-i", "1,28,28", "-i", "1,28,28") if name == "TwoInputs" else ("-i", "1,28,28")
    result = cli("shrink", f"{SHRINK_MODELS}:{name}", *args, "--max-params", "1000")
    assert result.exit_code == 2 and message in result.stderr, result.stderr


@pytest.mark.parametrize("args, message", [
    (("--max-params", "50"), "below the smallest network shrink composes"),
    (("--max-params", "40000"), "not below the original's 30,790 parameters"),
    (("--max-params", "10k", "--data", "nowhere:x"), "nowhere"),
    (("--max-params", "10k", "-o", "{tmp}/missing/small.py"), "no such folder"),
    (("--max-params", "10k", "-o", "{tmp}/exists.py"), "exists: shrink will not overwrite"),
    (("--max-params", "10k", "--families", "gap,huge"), "unknown --families huge"),
    (("--max-params", "10k", "--max-macs", "1000"), "no candidate fits"),
    (("--max-params", "ten"), "is not a count"),
])
def test_bad_input_is_one_line_and_leaves_files_alone(tmp_path, args, message):
    existing = tmp_path / "exists.py"
    existing.write_text("# the user's file\n")
    result = cli("shrink", *CHEATSHEET, *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert existing.read_text() == "# the user's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.py"]


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """The bundled digits normalized as the probe normalizes them, split in
    two: 4,000 shrink trains and judges on, 1,000 it never sees."""
    from cnnaudit.training.data import MNIST_MEAN, MNIST_STD, bundled_digits

    images, labels = bundled_digits()
    x = ((images.astype(np.float32) / 255 - MNIST_MEAN) / MNIST_STD)[:, None]
    order = np.random.default_rng(7).permutation(len(x))
    seen, unseen = order[:4000], order[4000:]
    path = tmp_path_factory.mktemp("digits") / "seen.npz"
    np.savez(path, x=x[seen], y=labels[seen].astype(np.int64))
    return path, (x[seen], labels[seen]), (x[unseen], labels[unseen])


@pytest.fixture(scope="module")
def shrunk(digits, tmp_path_factory):
    """One real run, one family to keep it short: its JSON and the file. The
    tolerance admits any loss, so that what is tested here (the file, its
    counts, its accuracy under a plain loop) does not hang on a verdict that
    one seed on 400 held-out digits cannot settle (benchmarks/shrink_wild.py
    runs the defaults and records the verdicts). 600 steps: enough that the
    accuracy has settled, so that two training loops can agree on it; batch
    32 halves the time."""
    out = tmp_path_factory.mktemp("shrunk") / "small_net.py"
    result = cli("shrink", *CHEATSHEET, "--max-params", "10000", "--data", f"npz:{digits[0]}",
                 "--families", "gap", "--steps", "600", "--seeds", "1", "--batch-size", "32",
                 "--tolerance", "100", "-o", out, "-f", "json", "--quiet")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_the_written_file_is_the_model_the_table_claims(shrunk):
    data, out = shrunk
    chosen = next(c for c in data["candidates"] if c["name"] == data["chosen"])
    assert chosen["verdict"] == "kept" and chosen["difference"]["low"] > -100
    assert data["written"] == str(out) and out.read_text() == data["source"]
    spec = importlib.util.spec_from_file_location("small_net", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.SmallNet()
    assert sum(p.numel() for p in model.parameters()) == chosen["params"] <= 10_000
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    # log-probabilities, as the cheatsheet net returns
    assert torch.allclose(model.eval()(torch.randn(2, 1, 28, 28)).exp().sum(1), torch.ones(2))
    summary = json.loads(cli("summary", f"{out}:SmallNet", "-i", "1,28,28", "-f",
                             "json").stdout)
    assert summary["totals"]["params"] == chosen["params"]
    assert summary["totals"]["macs"] == chosen["macs"]
    lint = cli("lint", f"{out}:SmallNet", "-i", "1,28,28", "--no-cache")
    assert lint.exit_code == 0, lint.output  # no error, no warning
    text = out.read_text()
    assert "cheatsheet_net.py:Net" in text and f"{chosen['params']:,}" in text
    for change in chosen["changes"][:3]:
        assert change.split(" (")[0].split(",")[0] in " ".join(text.split())


def test_a_plain_loop_on_unseen_digits_agrees_with_shrinks_figure(digits, shrunk):
    """The written model trained by plain torch (not the probe's code) on the
    4,000 digits, for the same steps (warm-up included), batch (32), optimizer and
    rate, then judged on the 1,000 shrink never saw: within 3 points of what
    shrink measured on its own held-out digits."""
    data, out = shrunk
    chosen = next(c for c in data["candidates"] if c["name"] == data["chosen"])
    spec = importlib.util.spec_from_file_location("small_net_loop", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    model = module.SmallNet()
    (train_x, train_y), (test_x, test_y) = digits[1], digits[2]
    train_x, train_y = torch.from_numpy(train_x), torch.from_numpy(train_y).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(len(train_x), generator=generator)
    model.train()
    for step in range(10 + 600):  # the probe's warm-up steps train too
        index = order[(step * 32) % len(order):(step * 32) % len(order) + 32]
        if len(index) < 32:
            order = torch.randperm(len(train_x), generator=generator)
            index = order[:32]
        loss = torch.nn.functional.nll_loss(model(train_x[index]), train_y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(test_x)).argmax(1).numpy()
    accuracy = 100 * float((predicted == test_y).mean())
    assert abs(accuracy - chosen["measured"]["accuracy"]) <= 3, \
        (accuracy, chosen["measured"]["accuracy"])


def test_nothing_kept_writes_nothing_and_says_what_would_help(tmp_path):
    """Twenty steps cannot train a small network to the original's accuracy
    within no tolerance at all: exit 1, no file, the advice."""
    out = tmp_path / "small.py"
    result = cli("shrink", *CHEATSHEET, "--max-params", "10000", "--families", "gap-half",
                 "--steps", "20", "--seeds", "1", "--tolerance", "0", "-o", out, "--quiet")
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert "no candidate kept the accuracy: nothing written" in result.stdout
    assert "more --steps (now 20)" in result.stdout or "more --seeds (now 1)" in result.stdout
    assert "the best trade-off found: gap-half" in result.stdout


def test_the_users_model_and_random_state_are_left_as_they_were():
    """shrink trains copies: the module handed in keeps its weights, buffers
    and training flag, and torch's global random state is as it was."""
    spec = importlib.util.spec_from_file_location("cheatsheet", "examples/cheatsheet_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(123)
    model = module.Net().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    report = cnnaudit.shrink(model, (1, 28, 28), max_params=10_000, families=("gap-half",),
                             steps=20, seeds=1, progress=False)
    assert report.candidates[0].measured["status"] == "ok"  # it did train something
    assert torch.equal(torch.get_rng_state(), rng)
    assert not model.training
    after = model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
