"""``cnnaudit doctor``: will this model train? Each check measures something
on a copy of the model with real data, states its figures, and points at
the layer responsible (the user's model and random state are left exactly
as they were)."""

from __future__ import annotations

import copy
import sys
import time
from dataclasses import asdict

from ..errors import CnnauditError, one_line
from ..linting import Finding
from ..load import definition_site, display_path
from ..training import load_data, load_for_training, number_of_classes, resolve_device
from .checks import select_checks
from .options import DoctorOptions, option_names
from .results import CheckResult, DoctorReport
from .session import Session, check_data_for_loss

# The order checks run in: the data first, then what one pass shows, then
# what training shows; the fit test last, since it names the others' findings.
ORDER = ("CNA509", "CNA510", "CNA501", "CNA503", "CNA504", "CNA506", "CNA507", "CNA508",
         "CNA505", "CNA502")


def resolve_options(options: DoctorOptions | None, overrides: dict) -> DoctorOptions:
    options = copy.copy(options) if options is not None else DoctorOptions()
    unknown = set(overrides) - option_names()
    if unknown:
        raise CnnauditError(f"unknown doctor option {sorted(unknown)[0]!r}")
    for key, value in overrides.items():
        setattr(options, key, value)
    return options.validate()


def doctor(model, input_size=None, *, model_args: dict | None = None,
           options: DoctorOptions | None = None, **overrides) -> DoctorReport:
    """Diagnose whether ``model`` (an ``nn.Module``, left untouched, or a
    SPEC) will train; returns a DoctorReport whose ``to_dict()`` is the JSON.
    The caller's random state is as it was afterwards."""
    import torch

    options = resolve_options(options, overrides)
    state = torch.get_rng_state()
    # CUDA's generators only where the doctor will use them (reading them
    # starts CUDA, which a CPU run must not do)
    cuda_state = torch.cuda.get_rng_state_all() \
        if options.device.startswith("cuda") and torch.cuda.is_available() else None
    try:
        return _doctor(torch, model, input_size, model_args, options)
    finally:
        torch.set_rng_state(state)
        if cuda_state is not None:
            torch.cuda.set_rng_state_all(cuda_state)


def _doctor(torch, model, input_size, model_args, options) -> DoctorReport:
    from ..stats import summary

    started = time.perf_counter()
    device = resolve_device(torch, options.device, options.amp)
    checks = {c.code: c for c in select_checks(options.select, options.ignore)}  # before any work
    torch.manual_seed(options.seed)
    loaded, notes, shape = load_for_training(model, model_args, input_size, "the doctor")
    traced = summary(loaded, [shape], depth=0)  # with the construction sites the build recorded
    if traced.failure is not None:
        failure = traced.failure
        raise CnnauditError(f"the model's forward fails: {failure['message']}; the doctor needs "
                            "a model that runs (cnnaudit lint says more)",
                            file=failure["file"], line=failure["line"])
    data = load_data(options.data, shape, number_of_classes(traced, "the doctor"),
                     options.seed).to(device)
    session = Session(torch, loaded, traced, data, options, device)
    check_data_for_loss(session)
    results, findings = [], []
    for code in ORDER:
        rule = checks.get(code)
        if rule is None:
            continue
        result, placed = _run_check(session, rule, loaded, options)
        results.append(result)
        findings += placed
        if placed:
            session.found.add(code)
    range_curve = session.measured("range_test")
    return DoctorReport(
        model=loaded.label, spec=loaded.spec, device=str(device), data=data.description,
        loss=session.loss_reason, loss_function=session.loss_name, options=_public(options),
        checks=results, findings=findings,
        notes=notes, seconds=time.perf_counter() - started,
        lr_curve={k: range_curve[k] for k in ("lrs", "losses", "suggestion", "divergence")}
        if range_curve else None,
    )


def _public(options: DoctorOptions) -> dict:
    data = asdict(options)
    data["select"], data["ignore"] = list(options.select), list(options.ignore)
    return data


def _run_check(session, rule, loaded, options):
    if options.progress:
        print(f"doctor: {rule.code} {rule.name}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    try:
        outcome = rule.check(session)
    except CnnauditError:
        raise
    except Exception as exc:  # a check that cannot run is said, never hidden
        return CheckResult(rule.code, rule.name, "failed",
                           f"could not run: {type(exc).__name__}: {one_line(exc)}",
                           seconds=time.perf_counter() - began), []
    placed = [_finding(session, rule, loaded, d) for d in outcome.findings]
    return CheckResult(rule.code, rule.name, outcome.status, outcome.summary, outcome.figures,
                       time.perf_counter() - began), placed


def _finding(session, rule, loaded, diagnosis) -> Finding:
    site = diagnosis.site
    if site is None and diagnosis.layer:
        site = session.layer_site(diagnosis.layer)
    if site is None:
        site = definition_site(type(loaded.model))
    return Finding(
        code=rule.code, name=rule.name, severity=diagnosis.severity or rule.severity,
        layer=diagnosis.layer, file=display_path(site.file) if site else None,
        line=site.line if site else None, col=site.col if site else None,
        message=diagnosis.message, fix=diagnosis.fix,
        layer_type=session.layer_type(diagnosis.layer) if diagnosis.layer else None,
        extra={"abs_file": site.file if site else None},
    )
