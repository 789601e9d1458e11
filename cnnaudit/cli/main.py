"""The ``cnnaudit`` command: parse options, call the library, render.

Nothing heavy is imported at module level: ``cnnaudit --help`` must not pay
for torch. Exit codes are decided in one place (``errors.decide_exit``); the
configuration reaches every command as click defaults (``settings``).
"""

from __future__ import annotations

import functools
import os
import sys

import click

from .._version import __version__
from ..errors import CnnauditError, decide_exit
from ..load.sandbox import user_code
from . import options
from .settings import config_option, current_config


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
            click.echo(exc.user_line(), err=True)
            sys.exit(decide_exit(usage_errors=1))
        except BrokenPipeError:
            # The reader went away (`| head -1`): nothing more to say to it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(decide_exit(failing=True))
        except KeyboardInterrupt:
            click.echo("cnnaudit: interrupted", err=True)
            sys.exit(decide_exit(interrupted=True))
        except Exception as exc:  # a bug in cnnaudit: still one line unless --debug
            if debug:
                raise
            click.echo(
                f"cnnaudit: internal error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(decide_exit(usage_errors=1))

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cnnaudit")
def main() -> None:
    """Static analysis for PyTorch CNNs: shapes, parameters, MACs and memory
    per layer, traced on the meta device."""


def _model_settings(spec: str, input_sizes, model_args) -> tuple[list | None, dict]:
    """(input shapes, constructor arguments) of SPEC: the command line's, over
    those its [tool.cnnaudit.models] entry gives."""
    from ..load import parse_model_args
    from ..units import parse_input_size

    configured = current_config().models.get(spec)
    shapes = [parse_input_size(text) for text in input_sizes] or (
        configured.input_sizes if configured else None)
    arguments = {**(configured.model_args if configured else {}),
                 **parse_model_args(model_args)}
    return shapes, arguments


def _split(values) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@main.command()
@click.argument("spec")
@options.input_size
@options.model_args
@options.device
@click.option("--depth", "-d", default=3, show_default=True, type=click.IntRange(min=-1),
              help="Fold layers deeper than this into their parents (-1: show all).")
@options.batch_size(None, "Estimate training memory at this batch size (default 32 when any "
                          "training option is given).")
@options.optimizer(None, "Optimizer for the training-memory estimate (default adam).")
@options.amp("Estimate training memory under automatic mixed precision.")
@click.option("--optimizer-impl", type=click.Choice(["for-loop", "foreach", "fused"]),
              default=None, help="How the optimizer steps, for its temporaries (default: what "
                                 "torch picks on CUDA, foreach; on the CPU it picks for-loop).")
@click.option("--dtype", type=click.Choice(["float32", "bfloat16", "float16"]), default=None,
              help="Parameter and input dtype (default: the model's own).")
@click.option("--memory-budget", default=None, metavar="SIZE",
              help="e.g. 8GiB: print the largest batch size whose training memory fits.")
@click.option("--counter", type=click.Choice(["native", "fvcore"]), default="native",
              show_default=True, help="Who counts MACs; fvcore needs real weights.")
@click.option("--trace-batch-size", type=click.IntRange(min=1, max=65536), default=2,
              show_default=True,
              help="Batch of the traced forward (above 1, so batch faults show).")
@click.option("--rf", "receptive", is_flag=True,
              help="Add receptive field, effective stride and padding columns, and what the "
                   "final feature map sees of the input (JSON always has them).")
@options.output_format(("table", "json", "csv", "markdown"), "table",
                       "Output format; json has stable keys and a schema_version.")
@config_option("summary")
@options.debug
@_report_errors
def summary(spec, input_sizes, model_args, device, depth, batch_size, optimizer, amp,
            optimizer_impl, dtype, memory_budget, counter, trace_batch_size, receptive,
            output_format):
    """Per-layer output shapes, parameters, MACs and activation memory of SPEC
    (path/to/file.py:Name or package.module:Name), plus totals and, when asked,
    a training-memory estimate."""
    from ..rendering import render_summary
    from ..stats import summary as run_summary
    from ..units import parse_bytes

    shapes, arguments = _model_settings(spec, input_sizes, model_args)
    budget = parse_bytes(memory_budget) if memory_budget else None
    with user_code():
        result = run_summary(
            spec, shapes, model_args=arguments, device=device,
            depth=None if depth < 0 else depth, batch_size=batch_size, optimizer=optimizer,
            amp=amp, dtype=dtype, memory_budget=budget, counter=counter,
            trace_batch_size=trace_batch_size, optimizer_impl=optimizer_impl,
        )
    for note in result.notes:
        click.echo(note, err=True)
    click.echo(render_summary(result, output_format, receptive=receptive),
               nl=output_format in ("table", "json"))
    sys.exit(decide_exit(failing=result.failure is not None))


@main.command()
@click.argument("targets", nargs=-1, required=True, metavar="SPEC|FILE|DIR...")
@options.input_size
@options.model_args
@options.device
@options.output_format(("text", "json", "sarif", "github"), "text",
                       "text: path:line:col: CODE [severity] layer: message; github: workflow "
                       "annotations; sarif: for code scanning.")
@options.select("Only these rules: codes (CNA202), prefixes (CNA3) or names; comma-separated.")
@options.ignore("Skip these rules (as --select).")
@options.fail_on
@options.exit_zero
@options.max_suggestions("Suggestions kept per model, ranked by savings (0: all).")
@click.option("--max-params", type=click.IntRange(min=0), default=None,
              help="Budget: CNA401 above this.")
@click.option("--max-macs", type=click.IntRange(min=0), default=None,
              help="Budget: CNA402 above this per sample.")
@click.option("--max-memory", default=None, metavar="SIZE",
              help="Budget: CNA403 when training memory exceeds it (e.g. 8GiB).")
@click.option("--memory-batch-size", type=click.IntRange(min=1), default=32, show_default=True,
              help="Batch size for the memory budget.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Only findings not in this baseline file count.")
@click.option("--update-baseline", is_flag=True,
              help="Write the current findings to --baseline and exit 0.")
@click.option("--no-cache", is_flag=True, help="Lint again even where nothing changed.")
@click.option("--strict", is_flag=True,
              help="A model class found in a file that cannot be built alone (it needs "
                   "arguments or an input size) is an error, not a skip.")
@config_option("lint")
@click.option("--verbose", "-v", is_flag=True, help="Show each finding's fix and savings.")
@click.option("--sort", type=click.Choice(["severity", "line"]), default="severity",
              show_default=True, help="Text order: errors, warnings, suggestions; or by line.")
@click.option("--statistics", is_flag=True,
              help="Text: a count per rule instead of the findings.")
@click.option("--fix", is_flag=True,
              help="Rewrite the models' source files with the fixes the findings propose, "
                   "each verified by linting the edited copy first.")
@click.option("--diff", is_flag=True,
              help="Print the verified fixes as a unified diff; write nothing (exit 1 if "
                   "there is any, or a finding fails as without --diff).")
@click.option("--unsafe-fixes", is_flag=True,
              help="Also fixes that change behaviour beyond the finding's claim "
                   "(`cnnaudit explain CODE` says which).")
@options.debug
@_report_errors
def lint(targets, input_sizes, model_args, device, output_format, select, ignore, fail_on,
         exit_zero, max_suggestions, max_params, max_macs, max_memory, memory_batch_size,
         baseline, update_baseline, no_cache, strict, verbose, sort, statistics, fix, diff,
         unsafe_fixes):
    """Check models against the rule catalog (`cnnaudit rules`); findings at
    the file:line of the offending layer. SPEC is path/to/file.py:Name or
    package.module:Name; a FILE (as pre-commit passes them) stands for the
    nn.Module classes it defines and the configured models that import it; a
    DIR for the Python files below it."""
    from ..fixing import fix_reports
    from ..linting import LintOptions
    from ..linting.baseline import apply_baseline, read_baseline, write_baseline
    from ..linting.rules import select_codes
    from ..load import parse_model_args
    from ..rendering import render_lint
    from ..rendering.lint_text import render_fix_summary
    from ..units import parse_bytes, parse_input_size
    from .jobs import plan_jobs, run_jobs

    if update_baseline and not baseline:
        raise CnnauditError("--update-baseline needs --baseline FILE")
    config = current_config()
    # Rule thresholds come from the config only; every option's value already
    # holds the config's as its default, overridden by the command line.
    lint_options = LintOptions(**{
        **config.lint, "select": _split(select) or None, "ignore": _split(ignore),
        "fail_on": fail_on, "max_suggestions": max_suggestions, "max_params": max_params,
        "max_macs": max_macs, "max_memory": parse_bytes(str(max_memory)) if max_memory else None,
        "memory_batch_size": memory_batch_size,
    })
    select_codes((lint_options.select or []) + lint_options.ignore)  # unknown → exit 2 now

    shapes = [parse_input_size(text) for text in input_sizes] or None
    jobs, notes, file_errors = plan_jobs(targets, shapes, parse_model_args(model_args), config)
    fixing = fix or diff
    with user_code():
        # Fixes are verified against live traces: no answers from the cache.
        results = run_jobs(jobs, lint_options, device, config,
                           use_cache=not no_cache and not fixing, strict=strict)
        outcomes = fix_reports(results.reports, {job.spec: job.model_args for job in jobs},
                               lint_options, unsafe=unsafe_fixes,
                               write=fix and not diff) if fixing else []
    reports, errors = results.reports, results.errors
    if fix and not diff:
        reports = [outcome.report for outcome in outcomes]
    if errors and len(jobs) == 1 and not reports and not file_errors:
        raise CnnauditError(errors[0])
    for line in notes + results.notes + [n for r in reports for n in r.notes]:
        click.echo(line, err=True)
    for error in file_errors:  # already file:line: message
        click.echo(error, err=True)
    for error in errors:
        click.echo(f"cnnaudit: error: {error}", err=True)
    errors = file_errors + errors
    if results.skipped or errors:
        click.echo(f"cnnaudit: {len(reports)} model{'s' if len(reports) != 1 else ''} analysed, "
                   f"{results.skipped} skipped, {len(errors)} could not be analysed"
                   + (" (--strict makes a skip an error)" if results.skipped else ""), err=True)
    if update_baseline:
        count = write_baseline(baseline, reports)
        click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {baseline}.")
        sys.exit(decide_exit(usage_errors=len(errors)))
    if baseline:
        apply_baseline(reports, read_baseline(baseline))
    if diff:
        for outcome in outcomes:
            if outcome.diff:
                click.echo(outcome.diff, nl=False)
        click.echo(render_fix_summary(outcomes, written=False), err=True)
        # A preview is still a gate: findings that fail fail it, as without --diff.
        sys.exit(decide_exit(usage_errors=len(errors), exit_zero=exit_zero,
                             failing=any(outcome.diff for outcome in outcomes)
                             or any(r.fails for r in reports)))
    if reports or output_format != "text":
        click.echo(render_lint(reports, output_format, verbose, sort, statistics))
    if fix:
        for outcome in outcomes:
            for refused in outcome.refused:
                click.echo(f"fix not applied: {refused['file']}:{refused['line']}: "
                           f"{refused['code']} {refused['layer']}: {refused['reason']}", err=True)
        click.echo(render_fix_summary(outcomes, written=True), err=output_format != "text")
    sys.exit(decide_exit(usage_errors=len(errors), exit_zero=exit_zero,
                         failing=any(r.fails for r in reports)))


@main.command()
@click.argument("spec")
@options.input_size
@options.model_args
@click.option("--device", default="cpu", show_default=True, metavar="cpu|cuda[:N]",
              type=options.Device(allow_meta=False), help="Where to train.")
@click.option("--apply", "apply_codes", default="all", show_default=True, metavar="CODES|all",
              help="Suggestions to turn into variants: CNA202, CNA301-304, or all.")
@click.option("--steps", type=click.IntRange(min=1), default=100, show_default=True,
              help="Timed training steps per variant.")
@click.option("--warmup", type=click.IntRange(min=0), default=10, show_default=True,
              help="Untimed steps first (allocator, cuDNN autotuning, compilation).")
@options.batch_size(64, "Training batch size.")
@click.option("--lr", type=options.PositiveFloat(), default=0.01, show_default=True,
              help="Learning rate.")
@options.optimizer("adam", "Optimizer of every variant.")
@click.option("--data", default=None, metavar="SOURCE",
              help="mnist5k (bundled; the default for 1x28x28), synthetic (the default "
                   "otherwise), npz:PATH, imagefolder:PATH, mnist:ROOT, cifar10:ROOT.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True,
              help="Repeat the whole run with seeds SEED, SEED+1, ...: accuracy as mean ± "
                   "spread, the paired tests over every run.")
@options.amp("Automatic mixed precision (torch.amp; GradScaler for fp16).")
@click.option("--channels-last", is_flag=True, help="NHWC memory format for model and inputs.")
@click.option("--compile", "compile_model", is_flag=True, help="torch.compile each variant.")
@options.max_suggestions("Variants for the suggestions with the largest savings (0: all).")
@click.option("--nproc", type=click.IntRange(min=1), default=1, show_default=True,
              help="Also run each variant with DistributedDataParallel over N processes.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the loss curves to this PNG (needs matplotlib).")
@options.output_format(("table", "json"), "table")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="CPU threads while training (default: the cores this process may use).")
@config_option("probe")
@options.debug
@_report_errors
def probe(spec, input_sizes, model_args, device, apply_codes, steps, warmup, batch_size, lr,
          optimizer, data, seed, seeds, amp, channels_last, compile_model, max_suggestions,
          nproc, plot, output_format, quiet, threads):
    """Train SPEC and a variant per suggestion (plus all of them together) for
    the same steps on the same data; compare step time, memory, loss and
    held-out accuracy, with a verdict per suggestion."""
    from ..probing import ProbeOptions
    from ..probing import probe as run_probe
    from ..rendering import render_probe

    if plot and not os.path.isdir(os.path.dirname(os.path.abspath(plot))):
        raise CnnauditError(f"--plot {plot}: no such folder (checked before training, so "
                            "no result is lost)")
    shapes, arguments = _model_settings(spec, input_sizes, model_args)
    probe_options = ProbeOptions(
        device=device, apply=apply_codes, steps=steps, warmup=warmup, batch_size=batch_size,
        lr=lr, optimizer=optimizer, data=data, seed=seed, seeds=seeds, amp=amp,
        channels_last=channels_last, compile=compile_model, max_suggestions=max_suggestions,
        progress=not quiet, threads=threads,
    )
    with user_code():
        report = run_probe(spec, shapes, model_args=arguments, options=probe_options)
    if nproc > 1 and not report.interrupted:
        from ..probing.ddp import run_ddp

        report.ddp = run_ddp(spec, shapes, arguments, probe_options, nproc, report)
    for note in report.notes:
        click.echo(note, err=True)
    if plot:
        from ..rendering.probe_table import plot_losses

        plot_losses(report, plot)
    click.echo(render_probe(report, output_format))
    if report.baseline_failure and not report.interrupted:
        click.echo(f"cnnaudit: inconclusive: {report.baseline_failure}; no suggestion can be "
                   "judged against it", err=True)
    sys.exit(report.exit_code())


@main.command()
@click.argument("spec")
@options.input_size
@options.model_args
@click.option("--data", default=None, metavar="SOURCE",
              help="mnist5k (bundled; the default for 1x28x28), synthetic (the default "
                   "otherwise), npz:PATH, imagefolder:PATH, mnist:ROOT, cifar10:ROOT.")
@click.option("--device", default="cpu", show_default=True, metavar="cpu|cuda[:N]",
              type=options.Device(allow_meta=False), help="Where to train the copies.")
@options.optimizer("adam", "The optimizer your training uses.")
@click.option("--lr", type=options.PositiveFloat(), default=1e-3, show_default=True,
              help="The learning rate your training uses.")
@click.option("--loss", type=click.Choice(["auto", "ce", "nll", "bce", "mse"]), default="auto",
              show_default=True,
              help="auto: NLL when the model ends in log_softmax, cross-entropy otherwise.")
@options.batch_size(32, "Training batch size.")
@options.amp("Automatic mixed precision (GradScaler for fp16).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--quick", is_flag=True, help="Shorter measurements (about a third of the time).")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the LR range test (loss against rate) to this PNG (needs matplotlib).")
@options.output_format(("table", "json", "sarif", "github"), "table",
                       "table: a line per check, then the findings as lint prints them.")
@options.select("Only these checks: codes (CNA501), prefixes (CNA50) or names.")
@options.ignore("Skip these checks (as --select).")
@options.fail_on
@options.exit_zero
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@config_option("doctor")
@options.debug
@_report_errors
def doctor(spec, input_sizes, model_args, data, device, optimizer, lr, loss, batch_size, amp,
           seed, quick, plot, output_format, select, ignore, fail_on, exit_zero, quiet):
    """Will SPEC train? Loss at initialization, memorizing a few samples,
    gradient flow and scale, dead units, samples mixing across the batch, an
    LR range test, the first non-finite op, the data's scale and balance —
    measured on a copy with real data, each finding at the layer's line."""
    from ..diagnosing import DoctorOptions
    from ..diagnosing import doctor as run_doctor
    from ..rendering import render_doctor

    if plot and not os.path.isdir(os.path.dirname(os.path.abspath(plot))):
        raise CnnauditError(f"--plot {plot}: no such folder (checked before training, so "
                            "no result is lost)")
    shapes, arguments = _model_settings(spec, input_sizes, model_args)
    thresholds = current_config().doctor_thresholds()
    doctor_options = DoctorOptions(
        device=device, optimizer=optimizer, lr=lr, loss=loss, batch_size=batch_size, amp=amp,
        data=data, seed=seed, quick=quick, progress=not quiet and output_format == "table",
        select=tuple(_split(select)), ignore=tuple(_split(ignore)), **thresholds)
    with user_code():
        report = run_doctor(spec, shapes, model_args=arguments, options=doctor_options)
    report.fail_on = fail_on
    for note in report.notes:
        click.echo(note, err=True)
    if plot:
        from ..rendering.doctor_table import plot_lr_range

        plot_lr_range(report, plot)
    click.echo(render_doctor(report, output_format))
    for check in report.checks:
        if check.status == "failed":
            click.echo(f"cnnaudit: {check.code} {check.name} {check.summary}", err=True)
    sys.exit(report.exit_code(exit_zero=exit_zero))


@main.command()
@click.argument("spec")
@options.input_size
@options.model_args
@click.option("--output", "-o", required=True, type=click.Path(),
              metavar="FILE.html", help="Where to write the page (one self-contained file).")
@click.option("--depth", "-d", type=click.IntRange(min=1), default=None,
              help="How deep the graph opens (default: the deepest level that stays "
                   "readable; every block opens on a click).")
@options.batch_size(None, "Batch of the shapes and the memory timeline (default 32).")
@options.optimizer(None, "Optimizer of the memory timeline (default adam).")
@options.amp("The memory timeline under automatic mixed precision.")
@click.option("--probe", "probe_json", type=click.Path(), default=None,
              metavar="PROBE.json", help="Show an earlier `cnnaudit probe ... --format json`.")
@click.option("--doctor", "doctor_json", type=click.Path(), default=None,
              metavar="DOCTOR.json", help="Show an earlier `cnnaudit doctor ... --format json`.")
@options.select("Only these lint rules (as lint's --select).")
@options.ignore("Skip these lint rules (as --select).")
@click.option("--quiet", "-q", is_flag=True, help="No line saying where the page went.")
@config_option("report")
@options.debug
@_report_errors
def report(spec, input_sizes, model_args, output, depth, batch_size, optimizer, amp, probe_json,
           doctor_json, select, ignore, quiet):
    """One self-contained HTML page of SPEC: the dataflow graph (blocks that
    open, colour by cost), cost bars, training memory op by op, receptive field
    growth, lint's findings on their layers, and earlier probe/doctor results."""
    from ..linting import LintOptions
    from ..linting.rules import select_codes
    from ..viewing import build_view
    from .output import write_output

    lint_options = LintOptions(**{**current_config().lint, "select": _split(select) or None,
                                  "ignore": _split(ignore)})
    select_codes((lint_options.select or []) + lint_options.ignore)  # unknown → exit 2 now
    target = write_output(output, check_only=True)  # an unwritable place fails before the work
    shapes, arguments = _model_settings(spec, input_sizes, model_args)
    with user_code():
        view = build_view(spec, shapes, model_args=arguments, depth=depth,
                          batch_size=batch_size, optimizer=optimizer, amp=amp,
                          lint_options=lint_options, probe=probe_json, doctor=doctor_json)
    for note in view.notes:
        click.echo(note, err=True)
    page = view.html()
    write_output(target, page)
    failure = view.summary.failure
    if failure:
        where = f"{failure['file']}:{failure['line']}: " if failure.get("file") else ""
        click.echo(f"{where}forward failed: {failure['message']} (the page draws the model up "
                   "to there)", err=True)
    if not quiet:
        click.echo(f"cnnaudit: wrote {output} ({len(page.encode()) / 1024:,.0f} KiB): "
                   f"{len(view.summary.layers)} layers, {len(view.lint.findings)} findings",
                   err=True)
    sys.exit(decide_exit(failing=failure is not None))


@main.command()
@click.argument("spec")
@click.option("--max-params", type=options.Count(), required=True, metavar="N",
              help="The budget: at most this many parameters (10000, 10k, 1.5M).")
@click.option("--max-macs", type=options.Count(), default=None, metavar="M",
              help="And at most this many MACs per sample.")
@options.input_size
@options.model_args
@click.option("--output", "-o", type=click.Path(), default=None, metavar="OUT.py",
              help="Where to write the smallest candidate that kept the accuracy.")
@click.option("--force", is_flag=True, help="Overwrite OUT.py when it exists.")
@click.option("--data", default=None, metavar="SOURCE",
              help="mnist5k (bundled; the default for 1x28x28), synthetic (the default "
                   "otherwise), npz:PATH, imagefolder:PATH, mnist:ROOT, cifar10:ROOT.")
@click.option("--device", default="cpu", show_default=True, metavar="cpu|cuda[:N]",
              type=options.Device(allow_meta=False), help="Where to train.")
@click.option("--steps", type=click.IntRange(min=1), default=400, show_default=True,
              help="Training steps of the original and of each candidate.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Whole runs with seeds SEED, SEED+1, ...; the paired interval pools them.")
@click.option("--tolerance", type=click.FloatRange(min=0), default=1.0, show_default=True,
              metavar="POINTS", help="Held-out accuracy a kept candidate may lose at most.")
@click.option("--quick", is_flag=True, help="One seed instead of --seeds (a first look: "
                                            "under a minute on a CPU for digits).")
@options.optimizer("adam", "Optimizer of the original and the candidates.")
@click.option("--lr", type=options.PositiveFloat(), default=0.01, show_default=True,
              help="Learning rate.")
@options.batch_size(64, "Training batch size.")
@options.amp("Automatic mixed precision (torch.amp; GradScaler for fp16).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--families", default=None, metavar="NAMES",
              help="Only these candidates: gap, transition, separable, deep, small-head, "
                   "gap-half (comma-separated).")
@options.output_format(("table", "json"), "table")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@config_option("shrink")
@options.debug
@_report_errors
def shrink(spec, max_params, max_macs, input_sizes, model_args, output, force, data, device,
           steps, seeds, tolerance, quick, optimizer, lr, batch_size, amp, seed, families,
           output_format, quiet):
    """The cheatsheet's reductions composed into smaller candidates of SPEC
    within the budget, trained against it on the same data, seeds and batches;
    the smallest whose held-out accuracy is kept (the paired interval within
    --tolerance) is written to OUT.py as plain PyTorch. Exit 1 when none is."""
    from ..rendering.shrink_table import render_shrink
    from ..shrinking import ShrinkOptions
    from ..shrinking import shrink as run_shrink
    from .output import write_output

    target = None
    if output is not None:
        if os.path.exists(output) and not force:
            raise CnnauditError(f"{output} exists: shrink will not overwrite it without --force")
        target = write_output(output, check_only=True)  # before minutes of training
    shapes, arguments = _model_settings(spec, input_sizes, model_args)
    shrink_options = ShrinkOptions(
        max_params=max_params, max_macs=max_macs, steps=steps, seeds=seeds, tolerance=tolerance,
        quick=quick, device=device, data=data, optimizer=optimizer, lr=lr,
        batch_size=batch_size, amp=amp, seed=seed,
        families=tuple(_split([families])) if families else None,
        progress=not quiet and output_format == "table")
    with user_code():
        report = run_shrink(spec, shapes, model_args=arguments, options=shrink_options)
    if report.source is not None and target is not None:
        write_output(target, report.source)
        report.written = str(output)
    for note in report.notes:
        click.echo(note, err=True)
    if output_format == "json":
        import json

        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(render_shrink(report))
    sys.exit(report.exit_code)


@main.command()
@click.option("--format", "-f", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "markdown"]))
def rules(output_format):
    """The rule catalog: code, name, severity and what each rule catches."""
    from ..rendering.catalog import render_catalog

    click.echo(render_catalog(output_format))


@main.command()
@click.argument("code")
@click.option("--format", "-f", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]))
@options.debug
@_report_errors
def explain(code, output_format):
    """One rule: what it does, why it matters, and its bad and good examples."""
    if output_format == "json":
        import json

        from ..rendering.catalog import explanation_dict

        click.echo(json.dumps(explanation_dict(code), indent=2))
        return
    from ..rendering.catalog import render_explanation

    click.echo(render_explanation(code))


def entry() -> None:
    """The console script: ``main``, then a quick exit.

    Tearing down an interpreter that has imported torch (and the sympy its meta
    kernels pull in) takes longer than our whole summary: half a second here.
    Everything cnnaudit writes is written and closed when ``main`` returns, so
    once the output is flushed the process ends without that teardown. In-process
    callers (tests, notebooks) call ``main`` and keep the normal exit.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    if "torch" not in sys.modules:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
