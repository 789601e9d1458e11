"""Command-line options defined once and shared between commands."""

from __future__ import annotations

import click

input_size = click.option(
    "--input-size", "-i", "input_sizes", multiple=True, metavar="C,H,W",
    help="Shape of one input sample without the batch, e.g. 1,28,28 (repeat for several "
         "inputs). Inferred from the model when left out, where it can be.",
)
model_args = click.option(
    "--model-args", "-a", "model_args", multiple=True, metavar="KEY=VALUE",
    help="Constructor argument as a Python literal, e.g. num_classes=10 (repeatable).",
)
device = click.option(
    "--device", default="meta", show_default=True, metavar="meta|cpu|cuda",
    help="Trace on meta tensors (no memory, any size) or on real ones.",
)
output_format = click.option(
    "--format", "-f", "output_format", default="table", show_default=True,
    type=click.Choice(["table", "json", "csv", "markdown"]),
    help="Output format; json has stable keys and a schema_version.",
)
debug = click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
