"""SARIF 2.1.0, as GitHub code scanning accepts it: one run, the catalog's
rules under ``tool.driver.rules`` (descriptions from the rule docstrings) and
one result per finding with its ruleId, level and physical location."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "suggestion": "note"}


def _rule_descriptor(rule) -> dict:
    what = rule.section("What it does") or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [rule.severity], "precision": "high"},
    }


def to_sarif(reports, doctor: bool = False) -> dict:
    """``doctor``: the reports are the doctor's, its checks the rules."""
    from .._version import __version__
    from .catalog import catalog_rules

    rules = catalog_rules("doctor" if doctor else "lint")
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for report in reports:
        for finding in report.findings:
            result = {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": _LEVEL[finding.severity],
                "message": {"text": (f"{finding.layer}: " if finding.layer else "")
                            + finding.message},
                "properties": {"model": report.model},
            }
            if finding.file:
                region = {"startLine": max(1, finding.line or 1)}
                if finding.col:
                    region["startColumn"] = finding.col
                artifact = {"uri": quote(finding.file), "uriBaseId": "%SRCROOT%"}
                if finding.external:  # a library's file: not in the repository
                    artifact = {"uri": Path(finding.extra.get("abs_file") or finding.file)
                                .resolve().as_uri()}
                    result["properties"]["external"] = True
                result["locations"] = [{
                    "physicalLocation": {"artifactLocation": artifact, "region": region}
                }]
                if finding.instance:
                    result["relatedLocations"] = [{
                        "id": 1,
                        "message": {"text": "this instance was built here"},
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(finding.instance["file"]),
                                                 "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": finding.instance["line"]},
                        },
                    }]
            if finding.fix:
                result["properties"]["fix"] = finding.fix
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cnnaudit",
                "version": __version__,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }},
            "results": results,
        }],
    }


def render_sarif(reports, doctor: bool = False) -> str:
    return json.dumps(to_sarif(reports, doctor=doctor), indent=2)
