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


def render_catalog(output_format: str = "table") -> str:
    from tabulate import tabulate

    from ..linting.rules import all_rules

    rules = all_rules()
    if output_format == "json":
        return json.dumps({"schema_version": 1, "rules": [
            {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}
            for r in rules]}, indent=2)
    rows = [[r.code, r.name, r.severity, r.summary] for r in rules]
    if output_format == "markdown":
        rows = [[f"[{r.code}]({r.code}.md)", f"`{r.name}`", r.severity, r.summary]
                for r in rules]
        return tabulate(rows, headers=["code", "name", "severity", "catches"], tablefmt="github")
    return tabulate(rows, headers=["code", "name", "severity", "catches"], tablefmt="simple")


def explanation_dict(code: str) -> dict:
    from ..linting.rules import get_rule

    rule = get_rule(code)
    return {"schema_version": 1, "code": rule.code, "name": rule.name,
            "severity": rule.severity, "summary": rule.summary, "doc": rule.doc,
            "examples": evidence(rule.code)}


def render_explanation(code: str, markdown: bool = False) -> str:
    from ..linting.rules import get_rule

    rule = get_rule(code)
    parts = [f"# {rule.code} {rule.name} ({rule.severity})", "", rule.doc]
    for name, source in evidence(rule.code).items():
        title = "A model that triggers it" if name == "bad.py" else "The same model, fixed"
        parts += ["", f"## {title}: `rules/{rule.code}/{name}`", "", "```python",
                  source.rstrip(), "```"]
    text = "\n".join(parts) + "\n"
    return text if markdown else text.rstrip("\n")


def write_docs(folder: Path) -> list[Path]:
    """docs/rules/: an index and a page per rule, generated from the docstrings."""
    from ..linting.rules import all_rules

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Rule catalog", "",
             "Generated from the rules' docstrings by `python -m cnnaudit.report.catalog "
             "docs/rules`; do not edit by hand.", "",
             "Severities: error (the model is broken), warning (it runs, but it is wrong), "
             "suggestion (cheaper with the same shapes). Exit code 1 at `--fail-on` "
             "(default warning) and above.", "", render_catalog("markdown"), ""]
    (folder / "README.md").write_text("\n".join(index))
    written.append(folder / "README.md")
    for rule in all_rules():
        path = folder / f"{rule.code}.md"
        path.write_text(render_explanation(rule.code, markdown=True))
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for path in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")):
        print(path)
