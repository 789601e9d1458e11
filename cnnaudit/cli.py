"""The ``cnnaudit`` command: parse options, call the library, render.

Nothing heavy is imported at module level: ``cnnaudit --help`` must not pay
for torch. Exit codes are decided in one place (``_exit_code``).
"""

from __future__ import annotations

import functools
import sys

import click

from . import options
from .errors import EXIT_USAGE, CnnauditError

__version__ = "0.1.0"


def _report_errors(command):
    """One line and exit code 2 for the user's errors, never a traceback
    (unless --debug)."""

    @functools.wraps(command)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return command(*args, **kwargs)
        except CnnauditError as exc:
            if debug:
                raise
            click.echo(f"cnnaudit: error: {exc}" if not exc.file else str(exc), err=True)
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("cnnaudit: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug in cnnaudit: still one line unless --debug
            if debug:
                raise
            click.echo(
                f"cnnaudit: internal error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_USAGE)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cnnaudit")
def main() -> None:
    """Static analysis for PyTorch CNNs: shapes, parameters, MACs and memory
    per layer, traced on the meta device."""


@main.command()
@click.argument("spec")
@options.input_size
@options.model_args
@options.device
@click.option("--depth", "-d", default=3, show_default=True, type=int,
              help="Fold layers deeper than this into their parents (-1: show all).")
@click.option("--batch-size", "-b", type=click.IntRange(min=1), default=None,
              help="Estimate training memory at this batch size (default 32 when any "
                   "training option is given).")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "adam", "adamw"]),
              default=None, help="Optimizer for the training-memory estimate (default adam).")
@click.option("--amp", type=click.Choice(["bf16", "fp16"]), default=None,
              help="Estimate training memory under automatic mixed precision.")
@click.option("--dtype", type=click.Choice(["float32", "bfloat16", "float16"]), default=None,
              help="Parameter and input dtype (default: the model's own).")
@click.option("--memory-budget", default=None, metavar="SIZE",
              help="e.g. 8GiB: print the largest batch size whose training memory fits.")
@click.option("--counter", type=click.Choice(["native", "fvcore"]), default="native",
              show_default=True, help="Who counts MACs; fvcore needs real weights.")
@click.option("--trace-batch-size", type=click.IntRange(min=1), default=2, show_default=True,
              help="Batch of the traced forward (above 1, so batch faults show).")
@options.output_format
@options.debug
@_report_errors
def summary(spec, input_sizes, model_args, device, depth, batch_size, optimizer, amp, dtype,
            memory_budget, counter, trace_batch_size, output_format):
    """Per-layer output shapes, parameters, MACs and activation memory of SPEC
    (path/to/file.py:Name or package.module:Name), plus totals and, when asked,
    a training-memory estimate."""
    from .loader import parse_model_args
    from .summarize import summary as run_summary
    from .units import parse_bytes, parse_input_size

    shapes = [parse_input_size(text) for text in input_sizes] or None
    budget = parse_bytes(memory_budget) if memory_budget else None
    result = run_summary(
        spec,
        shapes,
        model_args=parse_model_args(model_args),
        device=device,
        depth=None if depth < 0 else depth,
        batch_size=batch_size,
        optimizer=optimizer,
        amp=amp,
        dtype=dtype,
        memory_budget=budget,
        counter=counter,
        trace_batch_size=trace_batch_size,
    )
    for note in result.notes:
        click.echo(note, err=True)
    if output_format == "table":
        click.echo(repr(result))
    else:
        from .report.formats import RENDERERS

        click.echo(RENDERERS[output_format](result), nl=output_format == "json")
    sys.exit(_exit_code(result))


def _exit_code(result) -> int:
    """0: nothing wrong; 1: the model is broken (or findings at the failing
    level); 2 is raised earlier, for usage and load errors."""
    return result.exit_code


if __name__ == "__main__":  # pragma: no cover
    main()
