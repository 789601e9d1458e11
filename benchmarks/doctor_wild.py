"""The doctor against torch-audit 0.3.0's runtime checks on publicly reported
training failures (tests/wild/training/, each citing its report).

For each report: does the tool name the cause the report's answer gave, and
where does it point? cnnaudit: `cnnaudit.doctor` (quick) must report the
expected code at the marked line. torch-audit: its Auditor wraps a plain
training loop of the same model, data, loss and optimizer for 10 steps
(`every_n_steps=1`: every runtime check at every step, the static and init
checks once); a finding counts when its rule covers the same cause
(CAUSE_RULES below: NaN/Inf for a non-finite value, no gradients for a cut
graph, dead units, exploding gradients for an oversized step, the data range
for unnormalized inputs); its location is a module path, and its SARIF puts
every finding at line 1.

    pip install torch-audit==0.3.0     # the bench extra: pip install -e '.[bench]'
    python benchmarks/doctor_wild.py [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CASES = sorted(p for p in (ROOT / "tests" / "wild" / "training").glob("*.py")
               if p.name != "__init__.py")
# torch-audit's rules that speak to the same cause as a doctor code.
CAUSE_RULES = {
    "CNA501": set(),  # no loss check
    "CNA503": {"TA104"},  # "no gradients found in the model" (the whole model only)
    "CNA504": {"TA102"},  # gradient explosion: "check learning rate or clip"
    "CNA505": {"TA103", "TA105"},  # zero grads / activation collapse
    "CNA506": set(),  # nothing compares samples
    "CNA507": {"TA102"},
    "CNA508": {"TA100"},  # NaN/Inf in parameters or gradients
    "CNA509": {"TA301"},  # suspicious data range
    "CNA510": set(),  # no label check
}


def case_data(torch, case, classes: int):
    from cnnaudit.training import load_data

    options = getattr(case, "DOCTOR_OPTIONS", {})
    if hasattr(case, "data"):
        x, y = case.data()
        return torch.as_tensor(x), torch.as_tensor(y).long()
    data = load_data(options.get("data"), case.INPUT_SIZE, classes, 0)
    return data.train_x, data.train_y


def torch_audit_run(torch, case) -> list:
    """torch-audit's findings on 10 steps of the case's own training loop."""
    from torch_audit.runtime import Auditor

    import cnnaudit.training as training

    options = getattr(case, "DOCTOR_OPTIONS", {})
    torch.manual_seed(0)
    model = case.Net()
    classes = model(torch.zeros(2, *case.INPUT_SIZE)).shape[1]
    x, y = case_data(torch, case, classes)
    optimizer = training.make_optimizer(torch, model, options.get("optimizer", "adam"),
                                        options.get("lr", 1e-3))
    loss_name = options.get("loss", "ce")
    F = torch.nn.functional

    def loss_of(out, target):
        if loss_name == "nll":
            return F.nll_loss(out, target)
        if loss_name == "mse":
            return F.mse_loss(out, F.one_hot(target, out.shape[1]).float())
        return F.cross_entropy(out, target)

    auditor = Auditor(model, optimizer=optimizer, every_n_steps=1, suppress_internal_errors=True)
    with auditor:
        auditor.audit_static()
        auditor.audit_init()
        for step in range(10):
            index = torch.arange(step * 32, step * 32 + 32) % len(x)
            batch, target = x[index], y[index]
            auditor.audit_data(batch)
            out = auditor.forward(batch)
            loss = loss_of(out, target)
            optimizer.zero_grad()
            auditor.backward(loss)
            auditor.optimizer_step()
    return list(auditor.findings)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    import torch
    from doctor_evidence import doctor_evidence
    from tabulate import tabulate
    from test_lint_wild import load_case
    from test_rule_evidence import expected_lines

    torch.set_num_threads(2)
    rows, ours, theirs, began = [], 0, 0, time.perf_counter()
    for path in CASES:
        case = load_case(path)
        case.reproduce()
        report = doctor_evidence(path)
        code = sorted(case.EXPECT)[0]
        marked = expected_lines(path, code)
        found = sorted({f.line for f in report.findings if f.code == code})
        hit = bool(marked) and marked <= set(found)
        ours += hit
        try:
            peer = torch_audit_run(torch, case)
            rules = sorted({f.rule_id for f in peer})
            matching = [f for f in peer if f.rule_id in CAUSE_RULES[code]]
            peer_hit = bool(matching)
            where = ", ".join(sorted({f.module_path or "model" for f in matching})[:3]) or "-"
        except Exception as exc:  # the peer crashing on a case is its answer
            rules, peer_hit, where = [f"crashed: {type(exc).__name__}"], False, "-"
        theirs += peer_hit
        lines = ", ".join(map(str, found)) or "-"
        rows.append([path.stem, code, f"{'yes' if hit else 'NO'} (line {lines})",
                     ", ".join(sorted({f.code for f in report.findings})),
                     f"{'yes' if peer_hit else 'no'} ({where})", ", ".join(rules) or "none"])
        print(" | ".join(rows[-1]), flush=True)
    print()
    print(tabulate(rows, headers=["report", "cause", "cnnaudit: named at the line",
                                  "cnnaudit codes", "torch-audit: named (where)",
                                  "torch-audit rules"],
                   tablefmt="github" if args.markdown else "simple"))
    print(f"\nrecall: cnnaudit {ours} of {len(CASES)}, torch-audit 0.3.0 runtime {theirs} of "
          f"{len(CASES)}; {time.perf_counter() - began:.0f} s; torch {torch.__version__}")
    return 0 if ours == len(CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
