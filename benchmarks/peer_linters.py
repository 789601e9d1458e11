"""Which faults the tools people use today find, on the bad models of rules/.

For every rule folder, each tool runs on ``bad.py`` and on ``good.py`` (the
same model, fixed); a tool "finds" the fault when it reports, on the bad model
only, a rule that means that fault (the equivalences below). Everything else it
reports only on the bad model is listed as "other".

- cnnaudit: ``cnnaudit.lint`` (the code must fire on the marked lines).
- torch-audit 0.3.0 (PyPI): its static phase, ``torch_audit.audit(model, phase="static")``.
- TorchFix 0.7.0 (PyPI): ``torchfix --select ALL`` on the source file.

    pip install torch-audit==0.3.0 torchfix==0.7.0
    python benchmarks/peer_linters.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"

# torch-audit rules that mean the same fault as one of ours.
TORCH_AUDIT_EQUIVALENT = {"TA400": "CNA202", "TA200": "CNA305", "TA500": "CNA205"}
TORCHFIX_EQUIVALENT: dict[str, str] = {}  # TorchFix checks API usage, none of these faults


def load(path: Path):
    from cnnaudit.load import import_target

    return import_target(str(path))


def cnnaudit_codes(path: Path) -> set[str]:
    import cnnaudit

    module = load(path)
    report = cnnaudit.lint(f"{path}:Net", module.INPUT_SIZE, max_suggestions=0,
                           **getattr(module, "LINT_OPTIONS", {}))
    return {f.code for f in report.findings}


def torch_audit_codes(path: Path) -> set[str] | None:
    try:
        import torch_audit
    except ImportError:
        return None
    import torch

    model = load(path).Net()
    try:
        result = torch_audit.audit(model, phase="static")
    except Exception as exc:  # a peer's crash is a result too
        return {f"crash: {type(exc).__name__}"}
    del torch
    return {f"{f.rule_id}\t{f.message}" for f in result.findings}


def torchfix_codes(path: Path) -> set[str] | None:
    out = subprocess.run([sys.executable, "-m", "torchfix", "--select", "ALL", str(path)],
                         capture_output=True, text=True)
    if "No module named torchfix" in out.stderr:
        return None
    # "path:line:col: TOR101 message": keyed without the path, which differs
    return {line.split(" ", 1)[1] for line in out.stdout.splitlines()
            if re.search(r"\bTOR\d{3}\b", line) and " " in line}


def verdict(code: str, bad: set[str] | None, good: set[str] | None, equivalent: dict) -> str:
    if bad is None:
        return "not installed"
    # Findings are compared whole (rule and message): the same rule may report
    # other layers on the good model.
    only_bad = sorted({re.search(r"(TA\d{3}|TOR\d{3}|crash: \w+)", k).group(1)
                       for k in bad - (good or set())})
    found = [c for c in only_bad if equivalent.get(c) == code]
    other = [c for c in only_bad if c not in found]
    text = f"yes ({', '.join(found)})" if found else "no"
    if other:
        text += f"; other: {', '.join(other)}"
    return text


def main() -> int:
    import torch  # noqa: F401  (import once, outside the timings)

    started = time.perf_counter()
    rows = []
    counts = {"cnnaudit": 0, "torch-audit": 0, "TorchFix": 0}
    for folder in sorted(p for p in RULES.iterdir() if p.is_dir()):
        code = folder.name
        bad, good = folder / "bad.py", folder / "good.py"
        ours = "yes" if code in cnnaudit_codes(bad) and code not in cnnaudit_codes(good) \
            else "no"
        ta = verdict(code, torch_audit_codes(bad), torch_audit_codes(good),
                     TORCH_AUDIT_EQUIVALENT)
        tf = verdict(code, torchfix_codes(bad), torchfix_codes(good), TORCHFIX_EQUIVALENT)
        counts["cnnaudit"] += ours == "yes"
        counts["torch-audit"] += ta.startswith("yes")
        counts["TorchFix"] += tf.startswith("yes")
        doc = bad.read_text().splitlines()[0].strip('"')
        rows.append(f"| {code} | {doc.split(':', 1)[1].strip()} | {ours} | {ta} | {tf} |")
    print("| rule | the bad model | cnnaudit | torch-audit 0.3.0 (static) | TorchFix 0.7.0 |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    total = len(rows)
    print(f"| **found** | | **{counts['cnnaudit']} of {total}** | "
          f"**{counts['torch-audit']} of {total}** | **{counts['TorchFix']} of {total}** |")
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
