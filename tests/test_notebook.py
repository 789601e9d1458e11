"""Notebook display, in a real Jupyter kernel: a notebook that calls the API
is executed with nbclient, and its saved outputs are what Jupyter would show —
HTML tables for the results, the text tables for print() and plain display,
and the report's page inline."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    "import cnnaudit\n"
    "summary = cnnaudit.summary('examples/cheatsheet_net.py:Net', (1, 28, 28))\n"
    "summary",
    "print(summary)",
    "cnnaudit.lint('examples/cheatsheet_net.py:Net', (1, 28, 28))",
    "cnnaudit.probe('examples/cheatsheet_net.py:Net', (1, 28, 28), device='cpu', steps=10,\n"
    "               warmup=1, apply='CNA202', progress=False)",
    "report = cnnaudit.report('examples/cheatsheet_net.py:Net', (1, 28, 28))\nreport",
    "summary.to_dict()['totals']['params'], repr(summary)[:8]",
]


@pytest.fixture(scope="module")
def outputs():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return [cell.outputs for cell in notebook.cells]


def result(outputs, index) -> dict:
    [shown] = [o for o in outputs[index] if o.output_type == "execute_result"]
    return shown["data"]


def test_a_summary_shows_its_table(outputs):
    data = result(outputs, 0)
    html = data["text/html"]
    assert "<table>" in html and "<th>Layer" in html
    assert re.search(r"<td>fc1\s*</td><td>Linear\s*</td><td>\[1, 10\]", html)
    assert "Params        30,790" in html  # the totals under the table
    assert data["text/plain"].startswith("Net (examples/cheatsheet_net.py:Net)")
    assert "Activations/sample" in data["text/plain"]


def test_print_gives_the_text_table(outputs):
    [stream] = [o for o in outputs[1] if o.output_type == "stream"]
    assert "Layer" in stream["text"] and "conv1" in stream["text"]
    assert "<table>" not in stream["text"]


def test_a_lint_report_shows_its_findings(outputs):
    html = result(outputs, 2)["text/html"]
    assert html.count("<tr>") == 1 + 6  # the header and the cheatsheet net's 6 findings
    assert "CNA301 oversized-fc" in html


def test_a_probe_shows_its_table(outputs):
    data = result(outputs, 3)
    assert "<table>" in data["text/html"] and "original" in data["text/html"]
    assert "CNA202" in data["text/plain"]


def test_the_report_shows_inline(outputs):
    html = result(outputs, 4)["text/html"]
    assert html.startswith("<iframe srcdoc=") and "cnnaudit-data" in html
    assert "30,790 parameters" in result(outputs, 4)["text/plain"]


def test_the_data_objects_stay_data(outputs):
    assert result(outputs, 5)["text/plain"] == "(30790, 'Summary(')"
