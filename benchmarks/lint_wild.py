"""Lint on code nobody here wrote: recall on real-world bugs, precision on
published good models, and the peer torch-audit side by side.

- Bugs: tests/wild/bugs/ (22 CNN bugs from public reports, each citing its URL,
  with the reporter's sizes; tests/test_lint_wild.py reproduces each in plain
  torch first). A tool catches a bug when it reports it: cnnaudit, its
  expected code (or, for a model that cannot be built, a one-line error naming
  the float argument); torch-audit 0.3.0's static phase
  (``torch_audit.audit(model, phase="static")``), a finding of a rule that
  means the fault (``TORCH_AUDIT_MEANS``). What else it reports is listed: its
  TA200 (tensor-core alignment), TA201 (memory layout), TA203 (AMP precision)
  and TA404 (even kernel) are hardware and style checks, about none of these
  faults; a model it cannot build, or a crash of its own, is not caught.
- Good models: tests/wild/good/ and 35 timm architectures (no weights), at
  their default input size. A false alarm is an error, or a warning not listed
  as deliberate in docs/lint.md.

    pip install torch-audit==0.3.0   # optional: the peer column
    python benchmarks/lint_wild.py
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WILD = ROOT / "tests" / "wild"
TIMM = ["resnet18", "efficientnet_b0", "mobilenetv3_small_100", "mobilenetv3_large_100",
        "convnext_atto", "regnety_002", "levit_128", "ghostnet_100", "densenet121", "lcnet_050",
        "mnasnet_small", "tinynet_e", "edgenext_x_small", "rexnet_100", "resnext26ts", "dla34",
        "hrnet_w18_small", "cspresnet50", "dpn68", "efficientvit_b0", "fastvit_t8",
        "mobilevit_xxs", "repvgg_a0", "res2net50_14w_8s", "selecsls42b", "seresnet18",
        "tf_efficientnetv2_b0", "vgg11", "xception41", "inception_v3", "nfnet_l0",
        "poolformer_s12", "coat_lite_tiny", "pit_ti_224", "crossvit_tiny_240"]
# True by the rule's definition (docs/lint.md, "Deliberate exceptions").
DELIBERATE = {("rexnet_100", "CNA202"), ("hrnet_w18_small", "CNA202")}


def load_case(path: Path):
    spec = importlib.util.spec_from_file_location(f"wild_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cnnaudit_catches(path: Path, case) -> str:
    import cnnaudit
    from cnnaudit.errors import CnnauditError

    try:
        report = cnnaudit.lint(f"{path}:Net", case.INPUT_SIZE)
    except CnnauditError as exc:
        expected = getattr(case, "EXPECT_LOAD_ERROR", None)
        return "yes (load error)" if expected and expected in str(exc) else f"no: {exc}"
    codes = {f.code for f in report.findings}
    return "yes" if codes >= case.EXPECT else f"no: {sorted(codes)}"


# torch-audit rules that mean one of these faults: none of its 0.3.0 static
# rules checks shapes, channels, dropout mode or module registration.
TORCH_AUDIT_MEANS: dict[str, str] = {}


def torch_audit_catches(case) -> str:
    try:
        import torch_audit
    except ImportError:
        return "not installed"
    try:
        model = case.Net()
    except Exception:
        return "no (cannot build the model)"
    try:
        result = torch_audit.audit(model, phase="static")
    except Exception as exc:
        return f"no (crash: {type(exc).__name__})"
    rules = sorted({f.rule_id for f in result.findings})
    meant = [rule for rule in rules if rule in TORCH_AUDIT_MEANS]
    if meant:
        return f"yes ({', '.join(meant)})"
    return f"no (reports {', '.join(rules)})" if rules else "no (reports nothing)"


def false_alarms(report, name) -> list[str]:
    return [f"{f.code} {f.layer}" for f in report.findings
            if f.severity in ("error", "warning") and (name, f.code) not in DELIBERATE]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.parse_args()  # --help only
    warnings.filterwarnings("ignore")
    import cnnaudit

    began = time.perf_counter()
    print("| bug | source | cnnaudit | torch-audit (static) |")
    print("|---|---|---|---|")
    caught = peer_caught = 0
    bugs = sorted(p for p in (WILD / "bugs").glob("*.py") if p.name != "__init__.py")
    for path in bugs:
        case = load_case(path)
        source = next(line.split("Source: ", 1)[1].split()[0]
                      for line in case.__doc__.splitlines() if "Source: " in line)
        ours, theirs = cnnaudit_catches(path, case), torch_audit_catches(case)
        caught += ours.startswith("yes")
        peer_caught += theirs.startswith("yes")
        print(f"| {path.stem} | {source} | {ours} | {theirs} |")
    print(f"\nrecall: cnnaudit {caught} of {len(bugs)}, torch-audit {peer_caught} of {len(bugs)}\n")

    import timm

    print("| good model | findings (errors, warnings, suggestions) | false alarms | s |")
    print("|---|---|---|---|")
    clean = total = 0
    good = [(p.stem, f"{p}:Net", load_case(p).INPUT_SIZE, {})
            for p in sorted((WILD / "good").glob("*.py")) if p.name != "__init__.py"]
    good += [(name, "timm:create_model",
              timm.create_model(name, pretrained=False).pretrained_cfg["input_size"],
              {"model_name": name}) for name in TIMM]
    for name, spec, size, model_args in good:
        started = time.perf_counter()
        report = cnnaudit.lint(spec, size, model_args=model_args)
        counts = report.counts()
        alarms = false_alarms(report, name)
        total += 1
        clean += not alarms
        print(f"| {name} | {counts['error']}, {counts['warning']}, {counts['suggestion']} | "
              f"{'; '.join(alarms) or 'none'} | {time.perf_counter() - started:.1f} |")
    print(f"\ncnnaudit precision: {clean} of {total} good models without a false alarm; "
          f"{time.perf_counter() - began:.0f} s in all")
    return 0 if caught == len(bugs) and clean == total else 1


if __name__ == "__main__":
    sys.exit(main())
