"""Every rule fires on its rules/CODE/bad.py exactly at the marked lines and
stays quiet on good.py (pylint's bad/good message examples, as evidence)."""

import functools
import os
import re

import pytest
from conftest import ROOT

import cnnaudit
from cnnaudit.linting.rules import all_rules
from cnnaudit.load import import_target
from cnnaudit.rendering.lint_text import render_text

RULES_DIR = ROOT / "rules"
CODES = [r.code for r in all_rules()]
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expected_lines(path, code) -> set[int]:
    lines = set()
    for number, text in enumerate(path.read_text().splitlines(), 1):
        match = EXPECT.search(text)
        if match and code in [c.strip() for c in match.group(1).split(",")]:
            lines.add(number)
    return lines


@functools.cache
def lint_evidence(path):
    module = import_target(str(path))
    options = dict(getattr(module, "LINT_OPTIONS", {}))
    return cnnaudit.lint(f"{path}:Net", module.INPUT_SIZE, max_suggestions=0, **options)


def test_every_rule_has_evidence_and_every_folder_a_rule():
    from cnnaudit.diagnosing.checks import all_checks

    folders = sorted(p.name for p in RULES_DIR.iterdir() if p.is_dir())
    assert folders == sorted(CODES + [c.code for c in all_checks()])


def assert_fires_at_the_marked_lines(report, bad, code):
    """``code``'s findings in ``report`` are exactly at bad.py's marked lines."""
    marked = expected_lines(bad, code)
    assert marked, f"{bad} marks no line with '# expect: {code}'"
    found = {f.line for f in report.findings if f.code == code}
    assert found == marked, [f.to_dict() for f in report.findings]
    for finding in report.findings:
        if finding.code == code:
            assert finding.file == f"rules/{code}/bad.py"


@pytest.mark.parametrize("code", CODES)
def test_bad_example_fires_at_the_marked_lines(code):
    bad = RULES_DIR / code / "bad.py"
    assert_fires_at_the_marked_lines(lint_evidence(bad), bad, code)


@pytest.mark.parametrize("code", CODES)
def test_good_example_is_quiet(code):
    report = lint_evidence(RULES_DIR / code / "good.py")
    assert not [f.to_dict() for f in report.findings if f.code == code]
    # The fixed model is clean: no errors or warnings of any rule.
    assert not [f.to_dict() for f in report.findings if f.severity != "suggestion"]


@pytest.mark.parametrize("code", CODES)
def test_bad_example_output_matches_its_golden(code):
    """The verbose text of every rule's evidence is reviewed like code: a change
    of message shows as a diff of rules/CODE/bad.out (regenerate deliberately
    with CNNAUDIT_REGEN_GOLDEN=1)."""
    text = render_text([lint_evidence(RULES_DIR / code / "bad.py")], verbose=True) + "\n"
    text = text.replace(f"{ROOT}/", "")  # the probe commands name the SPEC by absolute path
    golden = RULES_DIR / code / "bad.out"
    if os.environ.get("CNNAUDIT_REGEN_GOLDEN") or not golden.exists():
        golden.write_text(text)
    assert text == golden.read_text()
