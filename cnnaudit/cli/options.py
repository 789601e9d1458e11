"""Command-line options, each declared once and shared between the commands
that take it (factories where a command needs its own default or help)."""

from __future__ import annotations

import click

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
AMP = ("bf16", "fp16")

input_size = click.option(
    "--input-size", "-i", "input_sizes", multiple=True, metavar="C,H,W",
    help="Shape of one input sample without the batch, e.g. 1,28,28 (repeat for several "
         "inputs). Inferred from the model when left out, where it can be.",
)
model_args = click.option(
    "--model-args", "-a", "model_args", multiple=True, metavar="KEY=VALUE",
    help="Constructor argument as a Python literal, e.g. num_classes=10 (repeatable).",
)
class Device(click.ParamType):
    """meta, cpu, cuda or cuda:N (meta only where tracing: a probe trains)."""

    name = "device"

    def __init__(self, allow_meta: bool = True) -> None:
        self.allow_meta = allow_meta

    def convert(self, value, param, ctx):
        text = str(value).strip().lower()
        kinds = ("meta", "cpu") if self.allow_meta else ("cpu",)
        if text in kinds or text == "cuda" or (text.startswith("cuda:") and
                                               text[5:].isdigit()):
            return text
        choices = ", ".join(kinds + ("cuda", "cuda:N"))
        self.fail(f"{value!r} is not a device: choose {choices}", param, ctx)


device = click.option(
    "--device", default="meta", show_default=True, metavar="meta|cpu|cuda", type=Device(),
    help="Trace on meta tensors (no memory, any size) or on real ones.",
)
debug = click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")


def output_format(choices, default: str, help: str = "Output format."):
    return click.option("--format", "-f", "output_format", default=default, show_default=True,
                        type=click.Choice(list(choices)), help=help)


def batch_size(default: int | None, help: str):
    return click.option("--batch-size", "-b", type=click.IntRange(min=1), default=default,
                        show_default=default is not None, help=help)


def optimizer(default: str | None, help: str):
    return click.option("--optimizer", type=click.Choice(OPTIMIZERS), default=default,
                        show_default=default is not None, help=help)


def amp(help: str):
    return click.option("--amp", type=click.Choice(AMP), default=None, help=help)


def max_suggestions(help: str):
    return click.option("--max-suggestions", type=click.IntRange(min=0), default=5,
                        show_default=True, help=help)


class PositiveFloat(click.ParamType):
    """A finite float above 0 (click's FloatRange lets NaN through)."""

    name = "float"

    def convert(self, value, param, ctx):
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} is not a finite number above 0", param, ctx)
        return number


class Count(click.ParamType):
    """A whole count of at least 1: ``10000``, ``10_000``, ``10k``, ``1.5M``, ``2G``."""

    name = "count"
    FACTORS = {"k": 10**3, "m": 10**6, "g": 10**9}

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip().replace("_", "").replace(",", "")
            factor = self.FACTORS.get(text[-1:].lower(), 1)
            try:
                number = float(text[:-1] if factor > 1 else text) * factor
            except ValueError:
                self.fail(f"{value!r} is not a count (10000, 10k, 1.5M)", param, ctx)
            if number != int(number):
                self.fail(f"{value!r} is not a whole number", param, ctx)
            number = int(number)
        if number < 1:
            self.fail(f"{value!r} is not at least 1", param, ctx)
        return number


def select(help: str):
    return click.option("--select", multiple=True, metavar="CODES", help=help)


def ignore(help: str):
    return click.option("--ignore", multiple=True, metavar="CODES", help=help)


fail_on = click.option("--fail-on", type=click.Choice(["error", "warning", "suggestion"]),
                       default="warning", show_default=True,
                       help="Exit 1 when a finding is at or above this severity.")
exit_zero = click.option("--exit-zero", is_flag=True,
                         help="Exit 0 even with findings (2 stays 2).")
