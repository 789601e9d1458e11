"""What every check measures with: copies of the model at initialization
(the user's model and random state are never touched), batches of the real
data in a fixed order, the loss, the precision, and where each layer was
built. Measurements more than one check reads (the first backward, the LR
range test, a short run at the configured rate) are made once and shared."""

from __future__ import annotations

import copy
import math

from ..errors import CnnauditError
from ..load import display_path
from ..trace.kinds import op_name
from ..training import amp_dtype, first_tensor, make_optimizer, number_of_classes

LOG_SOFTMAX = ("log_softmax", "LogSoftmax")


def choose_loss(graph, classes: int, requested: str) -> tuple[str, str]:
    """(loss, why): ``auto`` reads the model's last op."""
    if requested != "auto":
        return requested, f"--loss {requested}"
    last = graph.producer(graph.outputs[0]) if graph.outputs else None
    if last is not None and op_name(last) in LOG_SOFTMAX:
        return "nll", "auto: NLL, since the model ends in log_softmax"
    if classes == 1:
        return "bce", "auto: binary cross-entropy on the one output"
    return "ce", "auto: cross-entropy on the logits"


class Session:
    def __init__(self, torch, loaded, summary, data, options, device):
        self.torch = torch
        self.options = options
        self.device = device
        self.template = loaded.model  # the doctor's own copy, at initialization, on the CPU
        self.graph = summary.graph
        self.classes = number_of_classes(summary, "the doctor")
        self.data = data
        self.loss_name, self.loss_reason = choose_loss(self.graph, self.classes, options.loss)
        self.amp = amp_dtype(torch, options.amp)
        self._memo: dict = {}
        self.found: set[str] = set()  # codes with findings so far (the fit check names them)
        # module name → its first call in the traced graph (where it was built, called)
        self.nodes = {}
        for node in self.graph.nodes:
            if node.kind == "module" and node.name not in self.nodes:
                self.nodes[node.name] = node
        generator = torch.Generator().manual_seed(options.seed)
        self.order = torch.randperm(len(data.train_x), generator=generator).to(device)

    # -- models and data ----------------------------------------------------

    def fresh_model(self, train: bool = True):
        """A copy of the model at initialization, on the device."""
        model = copy.deepcopy(self.template).to(self.device)
        return model.train(train)

    def batch(self, index: int, size: int | None = None):
        """Batch ``index`` of a fixed endless order over the training data."""
        size = size or self.options.batch_size
        n = len(self.order)
        start = (index * size) % n
        positions = (self.torch.arange(start, start + size, device=self.device) % n)
        chosen = self.order[positions]
        return self.data.train_x[chosen], self.data.train_y[chosen]

    # -- loss and predictions ----------------------------------------------

    def autocast(self):
        return self.torch.autocast(self.device.type, dtype=self.amp,
                                   enabled=self.amp is not None)

    def loss(self, output, y):
        F = self.torch.nn.functional
        out = first_tensor(output).float()
        if self.loss_name == "ce":
            return F.cross_entropy(out, y)
        if self.loss_name == "nll":
            return F.nll_loss(out, y)
        target = self._target(out, y)
        if self.loss_name == "bce":
            return F.binary_cross_entropy_with_logits(out, target)
        return F.mse_loss(out, target)

    def _target(self, out, y):
        if self.classes == 1:
            return y.float().reshape(out.shape)
        return self.torch.nn.functional.one_hot(y, self.classes).float()

    def predictions(self, output):
        out = first_tensor(output)
        if self.classes == 1:
            return (out.reshape(-1) > 0).long()
        return out.argmax(-1)

    def neutral_loss(self) -> float | None:
        """The loss of a model that knows nothing yet: uniform over the
        classes (cross-entropy, NLL), a coin (binary cross-entropy); None
        for MSE, whose value at a neutral start depends on the output scale."""
        if self.loss_name in ("ce", "nll"):
            return math.log(self.classes) if self.classes > 1 else None
        if self.loss_name == "bce":
            return math.log(2)
        return None

    def forward_loss(self, model, x, y):
        with self.autocast():
            output = model(x)
        return output, self.loss(output, y)

    def optimizer(self, model, lr: float | None = None):
        return make_optimizer(self.torch, model, self.options.optimizer,
                              self.options.lr if lr is None else lr)

    # -- where things are ---------------------------------------------------

    def layer_site(self, name: str):
        """Where the module ``name`` was built (its line in the user's code)."""
        node = self.nodes.get(name)
        if node is None:
            return None
        return node.defined_at or node.call_site

    def layer_type(self, name: str) -> str | None:
        node = self.nodes.get(name)
        return node.op if node is not None else None

    def parameter_layers(self, model) -> list[str]:
        """Modules with their own trainable parameters, in the order forward
        first calls them."""
        owners = {name for name, module in model.named_modules()
                  if any(p.requires_grad for p in module.parameters(recurse=False))}
        ordered = [name for name in self.nodes if name in owners]
        return ordered + sorted(owners - set(ordered))

    def memo(self, key: str, compute):
        """``compute()`` once per session: a measurement several checks read."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def measured(self, key: str):
        """A shared measurement if some check made it, else None."""
        return self._memo.get(key)

    def shown(self, site) -> str:
        return f"{display_path(site.file)}:{site.line}" if site is not None else "?"


def check_data_for_loss(session) -> None:
    """Labels the loss can take: no more classes than the model outputs
    (binary cross-entropy on one output: labels 0 and 1)."""
    seen = int(session.data.train_y.max()) + 1
    limit = 2 if session.classes == 1 else session.classes
    if seen > limit:
        raise CnnauditError(f"--data {session.data.name} has {seen} classes, the model outputs "
                            f"{session.classes}; build it for {seen} (for example "
                            "--model-args num_classes=...)")
