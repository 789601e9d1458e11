"""The traced graph: module calls and functional ops in order, with shapes,
source lines and dataflow; crashes kept as data; the user's model untouched."""

import sys

import pytest
import torch
from conftest import EXAMPLES, MODELS, line_of
from torch import nn

import cnnaudit
from cnnaudit.load import load
from cnnaudit.trace import trace

CHEATSHEET = str(EXAMPLES / "cheatsheet_net.py")
BROKEN = str(MODELS / "broken_models.py")


@pytest.fixture(scope="module")
def cheatsheet_graph():
    loaded = load(f"{CHEATSHEET}:Net")
    return trace(loaded.model, [(1, 28, 28)], sites=loaded.sites)


def test_op_graph_in_call_order(cheatsheet_graph):
    ops = [(n.name, n.op) for n in cheatsheet_graph.ops()]
    assert ops == [
        ("conv1", "Conv2d"), ("bn1", "BatchNorm2d"), ("relu", "F.relu"),
        ("conv2", "Conv2d"), ("bn2", "BatchNorm2d"), ("relu_1", "F.relu"),
        ("pool", "MaxPool2d"), ("dropout", "Dropout2d"), ("view", "Tensor.view"),
        ("fc1", "Linear"), ("log_softmax", "F.log_softmax"),
    ]


def test_dataflow_links_each_op_to_its_producer(cheatsheet_graph):
    ops = cheatsheet_graph.ops()
    assert ops[0].inputs[0].origin == "input"
    for previous, current in zip(ops, ops[1:]):
        assert cheatsheet_graph.producer(current.inputs[0]) is previous
    assert [n.name for n in cheatsheet_graph.consumers(ops[0])] == ["bn1"]


def test_traced_with_a_batch_above_one(cheatsheet_graph):
    assert cheatsheet_graph.inputs[0].shape == (2, 1, 28, 28)
    assert cheatsheet_graph.outputs[0].shape == (2, 10)
    assert cheatsheet_graph.device == "meta"


def test_source_lines_of_modules_and_functional_ops(cheatsheet_graph):
    by_name = {n.name: n for n in cheatsheet_graph.ops()}
    assert by_name["conv1"].defined_at.line == line_of(CHEATSHEET, "self.conv1 = nn.Conv2d")
    assert by_name["view"].call_site.line == line_of(CHEATSHEET, "x = x.view(-1, 20 * 12 * 12)")
    assert list(by_name["view"].args.values()) == ["<tensor>", -1, 2880]
    assert by_name["log_softmax"].call_site.line == line_of(CHEATSHEET, "return F.log_softmax")
    assert by_name["log_softmax"].args["dim"] == -1


def test_recorded_arguments_name_dtypes_and_do_not_print_tensors(monkeypatch):
    class Net(nn.Module):
        def forward(self, x):
            y = torch.cat([x, x], 1)
            return y.to(torch.float16)

    printed = []
    monkeypatch.setattr(torch.Tensor, "__repr__", lambda self: printed.append(1) or "t")
    graph = trace(Net(), [(3, 4, 4)])
    by_name = {n.name: n for n in graph.ops()}
    assert list(by_name["cat"].args.values()) == ["list", 1]
    assert "torch.float16" in by_name["to"].args.values()  # a dtype, not "<tensor>"
    assert printed == []  # a list of tensors is named by its type without printing it


def test_functional_defaults_are_recorded():
    class Net(nn.Module):
        def forward(self, x):
            return torch.nn.functional.dropout(x, 0.5)

    graph = trace(Net(), [(4,)])
    (dropout,) = graph.ops()
    assert dropout.args["training"] is True and dropout.args["p"] == 0.5


def test_linear_mismatch_is_data_with_the_graph_so_far():
    loaded = load(f"{BROKEN}:FlattenMismatch")
    graph = trace(loaded.model, [(1, 28, 28)], sites=loaded.sites)
    assert graph.failure is not None
    failed = graph.nodes[graph.failure.node]
    assert failed.name == "fc1" and failed.inputs[0].shape == (2, 2420)
    assert [n.name for n in graph.ops()][:4] == ["conv1", "relu", "conv2", "relu_1"]

    from cnnaudit.trace.diagnose import describe_failure

    message = describe_failure(graph)
    assert "expects 2880 input features but receives 2420" in message
    assert "20×11×11" in message
    assert f"broken_models.py:{line_of(BROKEN, 'self.fc1 = nn.Linear')}" in message


def test_channel_mismatch_names_the_numbers():
    summary = cnnaudit.summary(f"{BROKEN}:ChannelMismatch", (1, 28, 28))
    assert summary.failure["layer"] == "bn1"
    assert "built for 16 channels but receives 10" in summary.failure["message"]
    assert summary.failure["line"] == line_of(BROKEN, "self.bn1 = nn.BatchNorm2d(16)")
    assert summary.exit_code == 1


def test_data_dependent_forward_falls_back_to_real_cpu_tensors():
    summary = cnnaudit.summary(f"{BROKEN}:NeedsValues", (1, 28, 28))
    assert summary.failure is None
    assert summary.device == "cpu"
    assert any("needs tensor values" in note and "traced with real CPU tensors" in note
               for note in summary.notes)
    assert summary.totals.macs == 26 * 26 * 4 * 9 + 4 * 26 * 26 * 10


def _fingerprint(model):
    return {
        "params": [(n, id(p), p.device.type, p.requires_grad, p.detach().clone())
                   for n, p in model.named_parameters()],
        "buffers": [(n, b.clone()) for n, b in model.named_buffers()],
        "training": [m.training for m in model.modules()],
        "hooks": [len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules()],
    }


def _same(before, after):
    assert [p[:4] for p in before["params"]] == [p[:4] for p in after["params"]]
    assert all(torch.equal(a[4], b[4]) for a, b in zip(before["params"], after["params"]))
    assert all(torch.equal(a[1], b[1]) for a, b in zip(before["buffers"], after["buffers"]))
    assert before["training"] == after["training"]
    assert before["hooks"] == after["hooks"]


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_the_users_model_is_left_as_it_was(device):
    from torch.nn.modules import module as module_globals

    model = load(f"{CHEATSHEET}:Net", device="cpu").model
    model.eval()
    model.bn1.train()  # a mixed state must survive too
    before = _fingerprint(model)
    # Training memory traces in training mode: BatchNorm statistics must not move.
    cnnaudit.summary(model, (1, 28, 28), device=device, batch_size=8)
    _same(before, _fingerprint(model))
    assert not module_globals._global_forward_hooks
    assert not module_globals._global_forward_pre_hooks
    assert nn.Module.__init__ is nn.Module.__dict__["__init__"]


def test_the_users_model_is_left_as_it_was_when_forward_raises():
    model = load(f"{BROKEN}:FlattenMismatch", device="cpu").model
    before = _fingerprint(model)
    summary = cnnaudit.summary(model, (1, 28, 28))
    assert summary.failure is not None
    _same(before, _fingerprint(model))
    from torch.nn.modules import module as module_globals

    assert not module_globals._global_forward_hooks


def test_dynamo_stand_in_is_gone_after_the_trace():
    load_graph = trace(load(f"{CHEATSHEET}:Net").model, [(1, 28, 28)])
    assert load_graph.failure is None
    stand_in = sys.modules.get("torch._dynamo")
    assert stand_in is None or hasattr(stand_in, "optimize")  # the real one, if anything


def test_shared_module_calls_are_separate_nodes():
    loaded = load(f"{BROKEN}:Shared")
    graph = trace(loaded.model, [(16,)])
    calls = [n for n in graph.ops() if n.name == "fc"]
    assert [n.call_index for n in calls] == [0, 1]


class EveryFastOp(torch.nn.Module):
    """Each op fast_meta answers, in place and not, on channels-first and
    permuted (channels-last) maps, before a Linear whose aten op (addmm or
    mm + add) depends on its input's strides."""

    def __init__(self):
        super().__init__()
        self.bn = torch.nn.BatchNorm2d(8)
        self.gn = torch.nn.GroupNorm(2, 8)
        self.ln = torch.nn.LayerNorm(8)
        self.fc = torch.nn.Linear(8, 8)

    def forward(self, x):
        F = torch.nn.functional
        x = F.relu(self.bn(x), inplace=True)
        x = F.hardswish(F.silu(F.gelu(torch.sigmoid(F.relu6(x)))))
        x = F.leaky_relu(F.hardsigmoid(self.gn(x)), 0.1).tanh()
        x = F.selu(F.elu(F.mish(torch.nn.ReLU6(inplace=True)(F.hardtanh(x, -2.0, 2.0)))))
        x = F.hardtanh_(F.mish(x, inplace=True))
        y = self.ln(x.permute(0, 2, 3, 1))  # strided input, contiguous output
        y = self.fc(F.relu(y))
        return self.bn(y.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last))


class EveryFastMatrixOp(torch.nn.Module):
    """Broadcasting arithmetic, reductions, linear and attention as fast_meta
    answers them, and the variants it must leave to torch (channels-last
    operands, a transposed Linear input, causal attention)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(8, 8, 1)
        self.qkv = torch.nn.Linear(8, 24)
        self.proj = torch.nn.Linear(8, 8, bias=False)
        self.out = torch.nn.Linear(6, 4)

    def forward(self, x):
        F = torch.nn.functional
        se = torch.sigmoid(x.mean((2, 3), keepdim=True))
        x = self.conv(x * se) + x
        x += 1.0
        x = x - F.adaptive_avg_pool2d(x, 1) / 2
        x = x * x.contiguous(memory_format=torch.channels_last)  # left to torch
        tokens = x.flatten(2).transpose(1, 2)  # [N, 36, 8], not contiguous
        q, k, v = self.qkv(tokens.contiguous()).reshape(2, 36, 3, 2, 4).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(2, 36, 8)
        c = F.scaled_dot_product_attention(q, k, v, is_causal=True).mean(-3)
        y = self.proj(a) + self.proj(tokens) + c.repeat(1, 1, 2)  # the second: a bmm path
        return self.out(y.mean(-1, keepdim=True).expand(2, 36, 6)).mean(dim=[1])


class EveryFastConv(torch.nn.Module):
    """Convolutions, concatenations, pooling and softmax as fast_meta answers
    them (1-, 2- and 3-D; strided, dilated, grouped, depthwise, without bias,
    per-dimension arguments; lists and tuples, negative and default dims;
    ceil mode, padding) and those it leaves to torch (``padding="same"``,
    channels-last inputs, pooling indices)."""

    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(8, 4, 3, stride=2, padding=1)
        self.c2 = torch.nn.Conv2d(8, 8, (3, 1), stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                  groups=2, bias=False)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
        self.same = torch.nn.Conv2d(8, 8, 4, padding="same")
        self.c3 = torch.nn.Conv3d(2, 3, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, x):
        F = torch.nn.functional
        a = self.c1(x.flatten(2))
        b = self.dw(self.c2(x))
        c = self.same(x.contiguous(memory_format=torch.channels_last))
        d = self.c3(x.reshape(x.shape[0], 2, 4, 6, 6))
        e = F.conv2d(x, self.dw.weight, None, 1, 1, 1, 8)  # positional, functional
        f = torch.cat([e, x, e], 1).sum() + torch.cat((x, x), dim=-1).sum()
        g = torch.cat([x, c], 1)  # a channels-last operand: left to torch
        h = torch.cat([x.flatten(1), x.flatten(1).half().float()])  # dim 0 by default
        p = F.max_pool2d(x, 3, 2, 1, ceil_mode=True) + F.avg_pool2d(x, (3, 3), 2, 1, True)
        q = F.max_pool2d(x, 2, 1, dilation=2) + F.avg_pool2d(x, 3, 1, count_include_pad=False)
        r = F.max_pool2d(c, 2) + torch.nn.MaxPool2d(2, return_indices=True)(x)[0]  # left to torch
        s = F.log_softmax(p.flatten(1), dim=1) + F.softmax(p.flatten(1), -1)
        t = F.softmax(c, 1)  # channels-last: left to torch
        u = F.max_pool2d(x[..., :5, :5].contiguous(), 2, 2, 1, ceil_mode=True)  # last window cut
        return a.sum() + b.sum() + c.sum() + d.sum() + f.sum() + g.sum() + h.sum() + q.sum() \
            + r.sum() + s.sum() + t.sum() + u.sum()


@pytest.mark.parametrize("model, size", [
    ("EveryFastOp", (8, 6, 6)), ("EveryFastMatrixOp", (8, 6, 6)), ("EveryFastConv", (8, 6, 6)),
    ("torchvision.models:mobilenet_v3_small", (3, 96, 96)),
    ("timm:create_model efficientnet_b0", (3, 64, 64)),
    ("timm:create_model mobilevit_xxs", (3, 64, 64)),
])
def test_fast_meta_answers_change_nothing(model, size, monkeypatch):
    from cnnaudit.trace.recorder import Recorder

    if model.startswith("timm:"):
        pytest.importorskip("timm")

    def summarize():
        targets = {"EveryFastOp": EveryFastOp, "EveryFastMatrixOp": EveryFastMatrixOp,
                   "EveryFastConv": EveryFastConv}
        target = targets[model]() if model in targets else model.split()[0]
        args = {"model_args": {"model_name": model.split()[1]}} if " " in model else {}
        plain = cnnaudit.summary(target, size, depth=None, **args)
        training = cnnaudit.summary(target, size, depth=None, batch_size=4, amp="bf16",
                                    **args)
        return (plain.totals.to_dict(), plain.not_counted, training.training_memory.to_dict(),
                [(layer.name, layer.output_shape, layer.macs, layer.activation_bytes)
                 for layer in plain.layers])

    fast = summarize()
    monkeypatch.setattr(Recorder, "fast_meta", False)
    assert summarize() == fast


@pytest.mark.parametrize("make_layer", [
    lambda: torch.nn.BatchNorm2d(4),  # built for 4 channels, receives 8
    lambda: torch.nn.GroupNorm(2, 6),  # 6 channels' weights for 8
    lambda: torch.nn.LayerNorm(5),  # normalizes a last dimension of 5, receives 6
    lambda: torch.nn.Conv2d(4, 8, 3),  # built for 4 channels, receives 8
    lambda: torch.nn.Conv2d(8, 8, 7),  # a kernel larger than the 6×6 map
    lambda: torch.nn.Conv1d(8, 8, 3),  # a 1-D convolution given a 2-D map
    lambda: torch.nn.MaxPool2d(8),  # a window larger than the map
    lambda: torch.nn.AvgPool2d(3, padding=2),  # padding over half the window
])
def test_fast_meta_never_hides_an_error(make_layer):
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), make_layer())
    summary = cnnaudit.summary(model, (3, 8, 8))
    assert summary.failure is not None and summary.failure["layer"] == "1"


def _inspect_bound(func, args, kwargs):
    """What inspect binds (the reference the recorder's own binder must equal)."""
    import inspect

    from cnnaudit.trace.arguments import _plain, _signature

    signature = _signature(func)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        plain = {str(i): _plain(v) for i, v in enumerate(args)}
        return {**plain, **{k: _plain(v) for k, v in kwargs.items()}}
    bound.apply_defaults()
    assert isinstance(signature, inspect.Signature)
    return {k: _plain(v) for k, v in bound.arguments.items()}


def _keyword_only(x, scale, *, mode="nearest", align=None):
    return x


@pytest.mark.parametrize("func, args, kwargs", [
    (torch.nn.functional.dropout, (1,), {}),
    (torch.nn.functional.dropout, (1, 0.2), {"training": False}),
    (torch.nn.functional.batch_norm, (1, 2, 3, None, None, False, 0.1, 1e-5), {}),
    (torch.nn.functional.interpolate, (1,), {"scale_factor": 2, "mode": "bilinear"}),
    (torch.nn.functional.max_pool2d, (1, 3), {"stride": 2, "ceil_mode": True}),  # *args wrapper
    (torch.nn.functional.pad, (1, (1, 1)), {"value": 0.5}),
    (_keyword_only, (1, 2), {"mode": "area"}),
    (_keyword_only, (1, 2, "area"), {}),  # keyword-only given by position: not bindable
    (_keyword_only, (1,), {"scale": 2, "align": True}),
    (_keyword_only, (1,), {}),  # a required argument missing
    (_keyword_only, (1, 2), {"scale": 3}),  # given twice
    (_keyword_only, (1, 2), {"other": 3}),  # unknown keyword
])
def test_recorded_arguments_are_what_inspect_binds(func, args, kwargs):
    from cnnaudit.trace.arguments import bound_arguments

    assert bound_arguments(func, args, kwargs) == _inspect_bound(func, args, kwargs)
    assert list(bound_arguments(func, args, kwargs)) == list(_inspect_bound(func, args, kwargs))


def _layouts():
    """One map in the layouts a model hands an op: contiguous, channels-last,
    a permuted view (dense, other order), size-1 dimensions with odd strides,
    and a strided slice (not dense)."""
    base = torch.empty(2, 8, 6, 6, device="meta")
    return {
        "contiguous": base,
        "channels_last": base.contiguous(memory_format=torch.channels_last),
        "permuted": torch.empty(2, 6, 6, 8, device="meta").permute(0, 3, 1, 2),
        "size_one": torch.empty(2, 1, 8, 6, 6, device="meta").transpose(0, 1)[0],
        "sliced": torch.empty(2, 8, 6, 12, device="meta")[..., ::2],
        "pooled": torch.empty(2, 8, 1, 1, device="meta"),
    }


@pytest.mark.parametrize("layout", list(_layouts()))
@pytest.mark.parametrize("name, call", [
    ("relu", lambda x: (x,)), ("hardswish", lambda x: (x,)), ("sigmoid", lambda x: (x,)),
    ("gelu", lambda x: (x,)), ("leaky_relu", lambda x: (x, 0.1)),
    ("batch_norm", lambda x: (x, torch.empty(8, device="meta"), torch.empty(8, device="meta"))),
    ("group_norm", lambda x: (x, 2)),
    ("add", lambda x: (x, 1.0)), ("mul", lambda x: (x, x)),
    ("mean", lambda x: (x, (2, 3), True)), ("adaptive_avg_pool2d", lambda x: (x, 1)),
    ("conv2d", lambda x: (x, torch.empty(4, 8, 3, 3, device="meta"), None, 1, 1)),
    ("linear", lambda x: (x, torch.empty(3, x.shape[-1], device="meta"))),
    ("cat", lambda x: ([x, x], 1)),
    ("max_pool2d", lambda x: (x, 3, 2, 1, 1, True)), ("avg_pool2d", lambda x: (x, 2, 1, 1)),
    ("softmax", lambda x: (x, 1)), ("log_softmax", lambda x: (x, -1)),
])
def test_fast_meta_results_have_torchs_layout(name, call, layout):
    # What fast_meta answers must be the tensor torch's own kernel gives:
    # shape, strides (later ops read channels-last-ness from them) and dtype.
    import torch.nn.functional as F

    from cnnaudit.trace.fast_meta import answer

    func = getattr(F, name, None) or getattr(torch, name)
    args = call(_layouts()[layout])
    with torch.no_grad():
        found = answer(torch, name, args, {})
        expected = func(*args)
    if found is not None:  # None: left to torch, which is right by definition
        result = found[0]
        assert (result.shape, result.stride(), result.dtype) == \
            (expected.shape, expected.stride(), expected.dtype)
