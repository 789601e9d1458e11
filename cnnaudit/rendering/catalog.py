"""The rule catalog as text: ``cnnaudit rules``, ``cnnaudit explain`` and the
generated ``docs/rules/``. Everything comes from the rules' docstrings and the
evidence in the top-level ``rules/CODE/`` folders; nothing is written twice."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path


def evidence(code: str) -> dict[str, str]:
    """``{"bad.py": source, "good.py": source}`` where the checkout has them."""
    # The top-level rules/ folder ships inside the package as cnnaudit/lint/evidence
    # (a link in the checkout, real files in the wheel), so an installed
    # cnnaudit shows the same examples as the checkout.
    folder = resources.files("cnnaudit.linting").joinpath("evidence", code)
    return {name: (folder / name).read_text() for name in ("bad.py", "good.py")
            if (folder / name).is_file()}


GROUPS = {"lint": "Lint rules (`cnnaudit lint`): the model as built",
          "doctor": "Doctor checks (`cnnaudit doctor`): the model as it trains"}


def catalog_rules(group: str | None = None) -> list:
    """The lint rules, the doctor's checks, or both (lint first)."""
    rules = []
    if group in (None, "lint"):
        from ..linting.rules import all_rules

        rules += all_rules()
    if group in (None, "doctor"):
        from ..diagnosing.checks import all_checks

        rules += all_checks()
    return rules


def group_of(code: str) -> str:
    return "doctor" if code.startswith("CNA5") else "lint"


def find_rule(code_or_name: str):
    """A lint rule or a doctor check by code or name."""
    from ..errors import CnnauditError

    for item in catalog_rules():
        if code_or_name.upper() == item.code or code_or_name.lower() == item.name:
            return item
    raise CnnauditError(f"unknown rule {code_or_name!r}: see `cnnaudit rules` for the catalog")


def render_catalog(output_format: str = "table") -> str:
    from tabulate import tabulate

    if output_format == "json":
        return json.dumps({"schema_version": 2, "rules": [
            {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary,
             "group": group_of(r.code)} for r in catalog_rules()]}, indent=2)
    parts = []
    for group, title in GROUPS.items():
        rules = catalog_rules(group)
        if output_format == "markdown":
            rows = [[f"[{r.code}]({r.code}.md)", f"`{r.name}`", r.severity, r.summary]
                    for r in rules]
            parts += [f"### {title}", "", tabulate(rows, headers=["code", "name", "severity",
                                                                   "catches"], tablefmt="github")]
        else:
            rows = [[r.code, r.name, r.severity, r.summary] for r in rules]
            parts += [title, tabulate(rows, headers=["code", "name", "severity", "catches"],
                                      tablefmt="simple")]
        parts.append("")
    return "\n".join(parts).rstrip("\n")


def explanation_dict(code: str) -> dict:
    rule = find_rule(code)
    return {"schema_version": 1, "code": rule.code, "name": rule.name,
            "severity": rule.severity, "summary": rule.summary, "doc": rule.doc,
            "group": group_of(rule.code), "examples": evidence(rule.code)}


def render_explanation(code: str, markdown: bool = False) -> str:
    rule = find_rule(code)
    parts = [f"# {rule.code} {rule.name} ({rule.severity})", "", rule.doc]
    for name, source in evidence(rule.code).items():
        title = "A model that triggers it" if name == "bad.py" else "The same model, fixed"
        parts += ["", f"## {title}: `rules/{rule.code}/{name}`", "", "```python",
                  source.rstrip(), "```"]
    text = "\n".join(parts) + "\n"
    return text if markdown else text.rstrip("\n")


def write_docs(folder: Path) -> list[Path]:
    """docs/rules/: an index and a page per rule, generated from the docstrings."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Rule catalog", "",
             "Generated from the rules' docstrings by `python -m cnnaudit.rendering.catalog "
             "docs/rules`; do not edit by hand.", "",
             "Severities: error (the model is broken, or cannot learn), warning (it runs, but "
             "it is wrong), suggestion (cheaper with the same shapes, or a better setting). "
             "Exit code 1 at `--fail-on` (default warning) and above.", "",
             render_catalog("markdown"), ""]
    (folder / "README.md").write_text("\n".join(index))
    written.append(folder / "README.md")
    for rule in catalog_rules():
        path = folder / f"{rule.code}.md"
        path.write_text(render_explanation(rule.code, markdown=True))
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for path in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")):
        print(path)
