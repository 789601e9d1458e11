"""The doctor on publicly reported training failures (tests/wild/training/,
each file citing its report): the bug reproduced in plain torch first, then
the doctor names the cause the report's answer gave, at the marked line.
benchmarks/doctor_wild.py adds torch-audit's runtime checks beside it."""

from pathlib import Path

import pytest
from doctor_evidence import doctor_evidence
from test_lint_wild import load_case
from test_rule_evidence import expected_lines

CASES = sorted(p for p in (Path(__file__).parent / "wild" / "training").glob("*.py")
               if p.name != "__init__.py")


def test_the_corpus_is_real_world_and_large_enough():
    assert len(CASES) >= 12
    for path in CASES:
        assert "Source: http" in (load_case(path).__doc__ or ""), path.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_report_reproduces_in_plain_torch_and_the_doctor_names_its_cause(path):
    case = load_case(path)
    case.reproduce()  # raises when the reporter's symptom does not show
    report = doctor_evidence(path)
    for code in case.EXPECT:
        marked = expected_lines(path, code)
        found = {f.line for f in report.findings if f.code == code}
        assert marked and marked <= found, [f.to_dict() for f in report.findings]
    assert not [c for c in report.checks if c.status == "failed"]
