"""Every doctor check fires on its rules/CNA5xx/bad.py exactly at the marked
lines, and the fixed good.py passes the whole doctor without an error or a
warning (the lint rules' evidence, for the checks that need training)."""

import pytest
from conftest import ROOT
from doctor_evidence import doctor_evidence
from test_rule_evidence import assert_fires_at_the_marked_lines

from cnnaudit.diagnosing.checks import all_checks

RULES_DIR = ROOT / "rules"
CODES = [c.code for c in all_checks()]


@pytest.mark.parametrize("code", CODES)
def test_bad_example_fires_at_the_marked_lines(code):
    bad = RULES_DIR / code / "bad.py"
    assert_fires_at_the_marked_lines(doctor_evidence(bad), bad, code)


@pytest.mark.parametrize("code", CODES)
def test_good_example_passes_the_whole_doctor(code):
    report = doctor_evidence(RULES_DIR / code / "good.py")
    assert report.check(code).status == "pass", report.check(code)
    assert not [f.to_dict() for f in report.findings if f.severity != "suggestion"]
    assert all(c.status in ("pass", "not applicable") for c in report.checks), report.checks
