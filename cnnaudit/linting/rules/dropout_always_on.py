"""Functional dropout that stays on in evaluation mode.

## What it does
Traces the model in evaluation mode (`model.eval()`) and finds functional
dropout calls (`F.dropout`, `F.dropout2d`, `torch.dropout`, ...) that still
run with `training=True` — the default of `F.dropout`.

## Why is this bad?
`model.eval()` switches `nn.Dropout` modules off but cannot reach a
`training` argument you did not pass: predictions stay random, validation
accuracy is understated and noisy, and exported models drop activations in
production.

## Example
```python
x = F.dropout(x, p=0.5)
```

## Use instead
```python
x = F.dropout(x, p=0.5, training=self.training)  # or self.dropout = nn.Dropout(0.5)
```

## Fix
`lint --fix` passes `training=self.training` to the call. **Safe**: dropout
then does what the finding says it should — on in training, off in
evaluation; training itself is unchanged.
"""

from ..findings import Hit, SourceEdit
from ..patterns import is_dropout
from . import rule


def _training_flag(node):
    for key in ("training", "train"):
        if key in node.args:
            return node.args[key]
    return node.args.get("2")  # torch.dropout(input, p, train): positional


@rule("CNA207", "dropout-always-on", "warning")
def check(ctx):
    graph = ctx.graph
    if graph.training:
        return
    for node in graph.ops():
        if node.kind == "function" and is_dropout(node) and _training_flag(node) is True:
            name = node.op.rsplit(".", 1)[-1]
            yield Hit(
                node,
                f"{node.op}(...) runs with training=True in eval mode: pass "
                f"training=self.training or use an nn.Dropout module",
                fix=f"{node.op}(x, p, training=self.training)" if name != "dropout_" else None,
                edit=SourceEdit("set_argument", "safe", keyword="training",
                                value="self.training", position=2,
                                reason="dropout then follows model.train()/model.eval(), as "
                                       "the finding says it should; training itself is "
                                       "unchanged",
                                expect={"params": 0}) if name != "dropout_" else None,
            )
