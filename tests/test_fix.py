"""`cnnaudit lint --fix` (issue 15): every fix applied to its rule's bad.py
copy, verified, and compared byte for byte with the reviewed diff in
rules/CODE/fix.diff (regenerate deliberately with CNNAUDIT_REGEN_GOLDEN=1);
formatting and comments kept; nothing written that was not verified, nor
over a file that changed meanwhile, nor on a run with nothing to fix."""

import difflib
import os
import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

import cnnaudit
from cnnaudit.cli import main
from cnnaudit.fixing import fix_model
from cnnaudit.linting import LintOptions
from cnnaudit.load import import_target

RULES = ROOT / "rules"


def _settings(path):
    module = import_target(str(path))
    return module.INPUT_SIZE, dict(getattr(module, "LINT_OPTIONS", {}))


def _bad_example(code, tmp_path):
    """A copy of rules/CODE/bad.py to fix."""
    bad = tmp_path / "bad.py"
    shutil.copy(RULES / code / "bad.py", bad)
    return bad


def _lint_then_fix(path, size, *, unsafe=False, **options):
    """(the lint report of ``path``'s Net, what fixing it did)."""
    report = cnnaudit.lint(f"{path}:Net", size, **options)
    return report, fix_model(f"{path}:Net", [size], {}, LintOptions(**options), report,
                             unsafe=unsafe)


def _blocking(report):
    return sorted({f.code for f in report.findings if f.severity in ("error", "warning")})


@pytest.mark.parametrize("code, unsafe", [("CNA202", False), ("CNA207", False),
                                          ("CNA206", True), ("CNA101", True), ("CNA103", True),
                                          ("CNA209", True)])
def test_the_fix_of_each_rule_turns_its_bad_example_into_a_good_one(code, unsafe, tmp_path):
    bad = _bad_example(code, tmp_path)
    size, options = _settings(bad)
    _, outcome = _lint_then_fix(bad, size, unsafe=unsafe, **options)
    assert outcome.written and {a["code"] for a in outcome.applied} == {code}
    diff = "".join(difflib.unified_diff(
        (RULES / code / "bad.py").read_text().splitlines(keepends=True),
        bad.read_text().splitlines(keepends=True), "bad.py", "fixed.py"))
    golden = RULES / code / "fix.diff"
    if os.environ.get("CNNAUDIT_REGEN_GOLDEN"):
        golden.write_text(diff)
    assert diff == golden.read_text()
    fixed = cnnaudit.lint(f"{bad}:Net", size, **options)
    assert code not in {f.code for f in fixed.findings}
    good_size, good_options = _settings(RULES / code / "good.py")
    good = cnnaudit.lint(f"{RULES / code / 'good.py'}:Net", good_size, **good_options)
    assert set(_blocking(fixed)) <= set(_blocking(good)) | {"CNA210"}, fixed.findings


def test_a_head_pooled_for_one_size_becomes_adaptive(tmp_path):
    # MetaPruning's AvgPool2d(7) head on a 32×32 input (tests/wild/bugs/).
    case = tmp_path / "metapruning.py"
    shutil.copy(ROOT / "tests" / "wild" / "bugs" / "metapruning_22_avgpool7.py", case)
    size = import_target(str(case)).INPUT_SIZE
    _, outcome = _lint_then_fix(case, size)
    assert [a["code"] for a in outcome.applied] == ["CNA104"]
    assert "self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1))" in \
        case.read_text()
    assert not [f for f in cnnaudit.lint(f"{case}:Net", size).findings if f.severity == "error"]


SEQUENTIAL = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1, bias=False),
            nn.ReLU(),  # activation first: CNA201
            nn.BatchNorm2d(8),
            nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
'''


def test_an_activation_before_its_batchnorm_in_a_sequential_is_swapped(tmp_path):
    net = tmp_path / "net.py"
    net.write_text(SEQUENTIAL)
    report, outcome = _lint_then_fix(net, (1, 28, 28), unsafe=True)
    assert [f.code for f in report.findings if f.severity == "warning"] == ["CNA201"]
    assert [a["code"] for a in outcome.applied] == ["CNA201"]
    assert net.read_text() == SEQUENTIAL.replace(
        "nn.ReLU(),  # activation first: CNA201\n            nn.BatchNorm2d(8),",
        "nn.BatchNorm2d(8),  # activation first: CNA201\n            nn.ReLU(),")


def test_unsafe_fixes_wait_for_the_flag(tmp_path):
    bad = _bad_example("CNA206", tmp_path)
    before = bad.read_text()
    _, outcome = _lint_then_fix(bad, (1, 28, 28))
    assert outcome.applied == [] and [u["code"] for u in outcome.unsafe] == ["CNA206"]
    assert "logits" in outcome.unsafe[0]["reason"] and bad.read_text() == before


def test_a_fix_that_would_break_the_model_is_refused(tmp_path):
    # CNA102's view(-1, N) → flatten(1) is verified: here fc1 was built for the
    # folded width, so the flattened map would not fit it (CNA101).
    bad = _bad_example("CNA102", tmp_path)
    before = bad.read_text()
    _, outcome = _lint_then_fix(bad, (1, 28, 28))
    (refused,) = outcome.refused
    assert refused["code"] == "CNA102" and "would bring CNA101 fc1" in refused["reason"]
    assert not outcome.written and bad.read_text() == before


UNFLATTENED = '''import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3,   padding=1)   # odd spacing, kept
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(
            8 * 2 * 2,  # the map's C×H×W
            10,
        )

    def forward(self, x):
        # a comment before the call
        x = self.pool(F.relu(self.conv(x)))
        return self.fc(x)  # the flatten is missing
'''


def test_formatting_and_comments_survive_and_a_second_run_writes_nothing(tmp_path):
    net = tmp_path / "net.py"
    net.write_text(UNFLATTENED)
    report, outcome = _lint_then_fix(net, (1, 8, 8))
    assert [f.code for f in report.findings if f.severity == "error"] == ["CNA101"]
    assert outcome.written
    expected = UNFLATTENED.replace("return self.fc(x)", "return self.fc(torch.flatten(x, 1))")
    assert net.read_text() == "import torch\n" + expected  # nothing else moved
    stamp = net.stat().st_mtime_ns
    _, again = _lint_then_fix(net, (1, 8, 8))
    assert again.applied == [] and not again.written and net.stat().st_mtime_ns == stamp


def test_a_file_changed_on_disk_meanwhile_is_not_written(tmp_path, monkeypatch):
    from cnnaudit.fixing import session

    bad = _bad_example("CNA207", tmp_path)
    verify = session._verify

    def verify_while_someone_edits(*args, **kwargs):
        result = verify(*args, **kwargs)
        bad.write_text(bad.read_text() + "# saved by the editor meanwhile\n")
        return result

    monkeypatch.setattr(session, "_verify", verify_while_someone_edits)
    _, outcome = _lint_then_fix(bad, (1, 28, 28))
    assert not outcome.written and outcome.applied == []
    assert "changed on disk" in outcome.refused[0]["reason"]
    assert bad.read_text().endswith("# saved by the editor meanwhile\n")
    assert "training=self.training" not in bad.read_text()


def test_cli_diff_writes_nothing_and_fix_says_what_it_did(tmp_path, monkeypatch):
    shutil.copy(RULES / "CNA202" / "bad.py", tmp_path / "net.py")
    shutil.copy(RULES / "CNA206" / "bad.py", tmp_path / "soft.py")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cnnaudit.models."net.py:Net"]\ninput-size = "3,32,32"\n'
        '[tool.cnnaudit.models."soft.py:Net"]\ninput-size = "1,28,28"\n')
    monkeypatch.chdir(tmp_path)
    before = (tmp_path / "net.py").read_text()
    result = CliRunner().invoke(main, ["lint", "net.py", "soft.py", "--diff"])
    assert result.exit_code == 1 and (tmp_path / "net.py").read_text() == before
    assert "+            nn.Conv2d(3, 16, 3, padding=1, bias=False),  # expect: CNA202" \
        in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "Would apply 2 fixes (each verified); 4 findings remain; 0 refused; "
        "1 unsafe fix left (--unsafe-fixes).")
    result = CliRunner().invoke(main, ["lint", "net.py", "soft.py", "--fix", "--unsafe-fixes"])
    assert result.stdout.strip().splitlines()[-1] == (
        "Applied 3 fixes (each verified) in 2 files; 3 findings remain; 0 refused.")
    assert "CNA202" not in result.stdout and "CNA206" not in result.stdout
    assert "bias=False" in (tmp_path / "net.py").read_text()


def test_diff_never_passes_a_broken_model_it_cannot_fix(tmp_path):
    # AlexNet's 6×6 pooling on a 32×32 input (tests/wild/bugs/): an error no
    # fix exists for. A preview with nothing to show must still fail.
    case = tmp_path / "alexnet.py"
    shutil.copy(ROOT / "tests" / "wild" / "bugs" / "cnn_finetune_4_alexnet.py", case)
    result = CliRunner().invoke(main, ["lint", f"{case}:Net", "-i", "3,32,32", "--diff"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "Would apply 0 fixes" in result.stderr


def test_pre_commit_has_a_fixing_hook():
    hooks = {hook["id"]: hook for hook in
             yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["cnnaudit-fix"]["entry"] == "cnnaudit lint --fix"
    assert hooks["cnnaudit-fix"]["require_serial"] is True


def test_a_source_edit_is_a_record_that_refuses_what_it_cannot_be():
    """Issue 22: an edit was a string-keyed dict, where a misspelled key
    silently meant "absent". The JSON keeps its names ("class")."""
    from cnnaudit.linting.findings import SourceEdit

    edit = SourceEdit("replace_constructor", "safe", class_name="AdaptiveAvgPool2d",
                      arguments="1", expect={"params": 0}, file="net.py", line=3, col=9,
                      callee="AvgPool2d")
    data = edit.to_dict()
    assert data["class"] == "AdaptiveAvgPool2d" and "class_name" not in data
    assert "at_call" not in data and SourceEdit.from_dict(data) == edit
    with pytest.raises(TypeError):
        SourceEdit("set_argument", "safe", keywrd="bias")
    with pytest.raises(ValueError, match="unknown edit action"):
        SourceEdit("set_arg", "safe")
    with pytest.raises(ValueError, match="safety"):
        SourceEdit("flatten_view", "maybe")
