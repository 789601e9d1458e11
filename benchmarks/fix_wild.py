"""`cnnaudit lint --fix --unsafe-fixes` on the real-world bug corpus
(tests/wild/bugs/: 22 CNN bugs from public reports, each citing its source).

Each file is copied to a scratch folder, linted, fixed with every fix
allowed, and linted again; the fixed copy must still import. Reports per
file which findings were fixed (each verified before it was written), which
fixes were refused and why, and what remains.

    python benchmarks/fix_wild.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "wild" / "bugs"


def main() -> int:
    warnings.filterwarnings("ignore")
    import cnnaudit
    from cnnaudit.errors import CnnauditError
    from cnnaudit.fixing import fix_model
    from cnnaudit.linting import LintOptions
    from cnnaudit.load import import_target

    totals = {"findings": 0, "fixed": 0, "refused": 0, "files_fixed": 0, "import_failures": 0}
    print("| bug file | findings (errors, warnings) | fixed | refused (why) | after |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for source in sorted(CORPUS.glob("*.py")):
            if source.name == "__init__.py":
                continue
            path = Path(scratch) / source.name
            shutil.copy(source, path)
            size = import_target(str(path)).INPUT_SIZE
            try:
                report = cnnaudit.lint(f"{path}:Net", size)
            except CnnauditError as exc:  # a bug cnnaudit reports as exit 2 (a float size)
                print(f"| {source.name} | exit 2: {str(exc)[:60]} | — | — | — |")
                continue
            blocking = [f for f in report.findings if f.severity in ("error", "warning")]
            outcome = fix_model(f"{path}:Net", [size], {}, LintOptions(), report, unsafe=True)
            totals["findings"] += len(blocking)
            totals["fixed"] += len(outcome.applied)
            totals["refused"] += len(outcome.refused)
            totals["files_fixed"] += outcome.written
            try:
                after = cnnaudit.lint(f"{path}:Net", size)
                left = ", ".join(sorted(f.code for f in after.findings
                                        if f.severity in ("error", "warning"))) or "clean"
            except CnnauditError as exc:
                totals["import_failures"] += 1
                left = f"FAILS: {exc}"
            refused = "; ".join(f"{r['code']}: {r['reason'][:70]}" for r in outcome.refused)
            print(f"| {source.name} | {', '.join(f.code for f in blocking)} | "
                  f"{', '.join(a['code'] for a in outcome.applied) or '—'} | {refused or '—'} | "
                  f"{left} |", flush=True)
    print(f"\n{totals['fixed']} fixes applied and verified in {totals['files_fixed']} files "
          f"(of {totals['findings']} errors and warnings); {totals['refused']} refused; "
          f"{totals['import_failures']} fixed files failing to import")
    return 1 if totals["import_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
