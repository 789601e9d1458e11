"""`cnnaudit report`: the page opens from disk in a real browser (headless
Chromium) with no errors, draws one node per layer at its depth and the joins
of a residual model, marks the memory peak, and every figure on it is the
`--format json` figure of summary and lint."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from browser import open_page
from click.testing import CliRunner

from cnnaudit.cli import main
from cnnaudit.rendering.html import embedded_data
from cnnaudit.units import format_bytes, format_count

# as a user types it in the project (the tests run from the repository's root)
CHEATSHEET = ("examples/cheatsheet_net.py:Net", "-i", "1,28,28")
RESNET18 = ("torchvision.models:resnet18", "-i", "3,224,224")
# 419 calls and containers (timm's EfficientNet-B0): the page must stay readable
EFFICIENTNET = ("timm:create_model", "-a", "model_name='efficientnet_b0'", "-i", "3,224,224")
MODELS = {"cheatsheet": CHEATSHEET, "resnet18": RESNET18, "efficientnet_b0": EFFICIENTNET}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each model's page, written by the command as a user runs it."""
    folder = tmp_path_factory.mktemp("pages")
    written = {}
    for name, spec in MODELS.items():
        path = folder / f"{name}.html"
        result = cli("report", *spec, "-o", path)
        assert result.exit_code == 0, result.output
        written[name] = path
    return written


def summary_json(*spec) -> dict:
    """What `cnnaudit summary --format json` says, at every depth, with the
    training setup the report's timeline uses (batch 32, adam)."""
    result = cli("summary", *spec, "-d", "-1", "--batch-size", "32", "--optimizer", "adam",
                 "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def frontier(rows: list[dict], depth: int) -> int:
    """How many boxes a drawing at ``depth`` has, from the summary's rows alone
    (call order, parents before their children): each row at ``depth``, and each
    shallower row with nothing below it."""
    count = 0
    for i, row in enumerate(rows):
        if row["depth"] > depth:
            continue
        following = rows[i + 1]["depth"] if i + 1 < len(rows) else 0
        if row["depth"] == depth or following <= row["depth"]:
            count += 1
    return count


def nodes_in(dom: str) -> list[str]:
    return re.findall(r'<g class="(node[^"]*)" data-id="\d+"', dom)


@pytest.mark.parametrize("name", list(MODELS))
def test_the_page_opens_from_disk_and_draws_a_node_per_layer(pages, name):
    page = open_page(pages[name])
    assert 'data-ready="yes"' in page.dom, page.console
    assert page.console == []  # no error, no warning, nothing logged
    assert '<pre id="page-errors" hidden=""></pre>' in page.dom
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"|http://www.w3.org/2000/svg',
                                   "", pages[name].read_text())  # nothing fetched
    data = embedded_data(pages[name].read_text())
    rows = summary_json(*MODELS[name])["layers"]
    drawn = nodes_in(page.dom)
    assert len(drawn) == frontier(rows, data["depth"])
    # the cost bars list the same layers (joins are no layer of their own)
    assert len(re.findall(r'class="bar-row"', page.dom)) == \
        len([n for n in drawn if "join" not in n])
    if name == "efficientnet_b0":  # opens readable: its blocks closed, 40 boxes at most
        assert len(drawn) <= 40 < len(data["graph"]["nodes"])
        assert any("block" in n for n in drawn)


def test_a_residual_model_shows_its_joins(pages):
    """torchvision's resnet18 has 8 BasicBlocks, each adding its input back:
    at depth 3 the page draws 8 add joins, each fed from two places."""
    page = open_page(pages["resnet18"], fragment="depth=3")
    joins = re.findall(r'<g class="node[^"]*join[^"]*" data-id="(\d+)"', page.dom)
    assert len(joins) == 8
    for join in joins:
        assert len(re.findall(rf'class="edge"[^>]*data-to="{join}"', page.dom)) == 2
    assert page.console == []


@pytest.mark.parametrize("name", ["cheatsheet", "resnet18"])
def test_the_pages_figures_are_the_json_figures(pages, name):
    text = pages[name].read_text()
    data = embedded_data(text)
    summary = summary_json(*MODELS[name])
    lint = json.loads(cli("lint", *MODELS[name], "-f", "json", "--no-cache").stdout)
    timeline = data["summary"]["training_memory"].pop("timeline")
    assert data["summary"] == summary
    assert data["lint"] == lint
    memory = summary["training_memory"]
    peak = max(timeline, key=lambda point: point["bytes"])
    assert peak["bytes"] == memory["total_bytes"]
    page = open_page(pages[name])
    marked = re.search(r'<g id="memory-peak" data-layer="([^"]+)" data-phase="(\w+)" '
                       r'data-bytes="(\d+)"', page.dom)
    assert marked.groups() == (peak["layer"], peak["phase"], str(memory["total_bytes"]))
    assert f"peak {format_bytes(memory['total_bytes'])}" in page.dom
    cards = dict(re.findall(r'data-card="(\w+)"><b>([^<]+)</b>', page.dom))
    totals = summary["totals"]
    assert cards["params"] == f"{totals['params']:,}"
    assert cards["macs"] == format_count(totals["macs"])
    assert cards["activations"] == format_bytes(totals["activation_bytes"])
    assert cards["memory"] == format_bytes(memory["total_bytes"])
    assert cards["findings"] == str(len(lint["findings"]))
    assert len(re.findall(r'<tr class="finding"', page.dom)) == len(lint["findings"])


def test_a_selected_layer_shows_its_row_and_findings(pages):
    """The side panel of fc1 (the cheatsheet's 2,880 → 10 head): the summary
    row's figures, shape at the batch, source line, and lint's finding there."""
    page = open_page(pages["cheatsheet"], fragment="select=fc1")
    summary = summary_json(*CHEATSHEET)
    row = next(r for r in summary["layers"] if r["name"] == "fc1")
    panel = dict(re.findall(r'<tr data-key="([^"]+)"><td>[^<]*</td><td class="mono">([^<]*)</td>',
                            page.dom))
    assert panel["params"] == f"{row['params']:,}"
    assert panel["MACs/sample"] == format_count(row["macs"])
    assert panel["activations/sample"] == format_bytes(row["activation_bytes"])
    assert panel["output shape"] == "[32, 10]"  # at the report's batch of 32
    assert panel["source"] == f"{row['file']}:{row['line']}"
    assert "CNA301" in unescape(page.dom.split('id="details"')[1].split("</aside>")[0])
    # a hover shows the same row without a click
    hover = re.search(r'data-name="fc1"><title>([^<]*)</title>', page.dom).group(1)
    assert hover.splitlines()[:3] == ["fc1 (Linear)", "output [32, 10]",
                                      f"params {row['params']:,}"]
    assert "1 finding: CNA301" in hover


def test_earlier_probe_and_doctor_runs_are_shown(tmp_path):
    probe = cli("probe", *CHEATSHEET, "--device", "cpu", "--steps", "10", "--warmup", "1",
                "--apply", "CNA202,CNA301", "--quiet", "-f", "json")
    assert probe.exit_code in (0, 1), probe.output
    (tmp_path / "probe.json").write_text(probe.stdout)
    doctor = cli("doctor", *CHEATSHEET, "--quick", "--quiet", "-f", "json")
    assert doctor.exit_code in (0, 1), doctor.output
    (tmp_path / "doctor.json").write_text(doctor.stdout)
    page_path = tmp_path / "page.html"
    result = cli("report", *CHEATSHEET, "-o", page_path, "--probe", tmp_path / "probe.json",
                 "--doctor", tmp_path / "doctor.json")
    assert result.exit_code == 0, result.output
    page = open_page(page_path)
    assert page.console == []
    probe_data, doctor_data = json.loads(probe.stdout), json.loads(doctor.stdout)
    assert len(re.findall(r"<tr data-variant=", page.dom)) == len(probe_data["variants"])
    assert len(re.findall(r'data-series="[^"]+"', page.dom.split('id="probe-curves"')[1]
                          .split("</svg>")[0])) == len(probe_data["variants"])
    doctor_rows = re.findall(r'<tr data-code="(CNA5\d\d)">', page.dom)
    assert doctor_rows == [check["code"] for check in doctor_data["checks"]]
    assert 'id="doctor-range"' in page.dom and "steepest descent" in page.dom


def test_a_page_without_earlier_runs_hides_their_sections(pages):
    page = open_page(pages["cheatsheet"])
    assert re.search(r'<section id="probe-section" class="optional" data-for="probe" hidden',
                     page.dom)


@pytest.mark.parametrize("args, message", [
    (("-o", "{tmp}/missing/page.html"), "no such folder"),
    (("-o", "{tmp}"), "is a folder"),
    (("-o", "{tmp}/page.html", "--probe", "{tmp}/garbage.json"), "garbage.json:1: not JSON"),
    (("-o", "{tmp}/page.html", "--probe", "{tmp}/doctor.json"), "not the JSON of a cnnaudit probe"),
    (("-o", "{tmp}/page.html", "--doctor", "{tmp}/nothing.json"), "nothing.json: no such file"),
    (("-o", "{tmp}/page.html", "--select", "CNA999"), "CNA999"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, message):
    (tmp_path / "garbage.json").write_text("not json {")
    (tmp_path / "doctor.json").write_text(json.dumps({"checks": [], "findings": []}))
    before = sorted(p.name for p in tmp_path.iterdir())
    done = cli("report", *CHEATSHEET, *[a.format(tmp=tmp_path) for a in args])
    assert done.exit_code == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_depth_must_name_a_level():
    done = cli("report", *CHEATSHEET, "-o", "/tmp/never.html", "--depth", "0")
    assert done.exit_code == 2 and "depth" in done.stderr.lower()


def test_the_api_returns_a_report_that_saves_the_same_page(tmp_path):
    import cnnaudit

    view = cnnaudit.report(CHEATSHEET[0], (1, 28, 28))
    view.save(tmp_path / "api.html")
    cli("report", *CHEATSHEET, "-o", tmp_path / "cli.html")
    assert (tmp_path / "api.html").read_text() == (tmp_path / "cli.html").read_text()
    assert view._repr_html_().startswith("<iframe srcdoc=")
    assert "30,790 parameters" in str(view)


def test_resnet50s_page_stays_small(tmp_path):
    """All of resnet50 (every layer, the graph, the timeline) under 2 MB."""
    path = tmp_path / "resnet50.html"
    assert cli("report", "torchvision.models:resnet50", "-i", "3,224,224", "-o", path,
               "-q").exit_code == 0
    assert path.stat().st_size < 2 * 1024 * 1024


@pytest.mark.parametrize("spec, args, joins", [
    # GoogLeNet's 9 Inception modules each concatenate 4 branches
    ("torchvision.models:googlenet", {"init_weights": False}, {"cat": 9}),
    # MobileNetV2: residual adds where stride is 1 and the width is kept,
    # 1 + 2 + 3 + 2 + 2 of its 17 inverted residuals (the paper's table 2)
    ("torchvision.models:mobilenet_v2", None, {"add": 10}),
    # DenseNet-121: 6 + 12 + 24 + 16 dense layers concatenate what came before
    # (but each block's first, which has one input), and each block its layers
    ("torchvision.models:densenet121", None, {"cat": 58 - 4 + 4}),
])
def test_joins_are_the_architectures_own(spec, args, joins):
    import collections

    import cnnaudit
    from cnnaudit.viewing import graph_view

    summary = cnnaudit.summary(spec, (3, 224, 224), model_args=args, depth=None)
    view = graph_view(summary.graph)
    assert collections.Counter(n["join"] for n in view["nodes"] if n["join"]) == joins
    by_id = {n["id"]: n for n in view["nodes"]}
    for node in view["nodes"]:  # each join is fed from two places or more
        if node["join"]:
            assert len({e["from"] for e in view["edges"] if e["to"] == node["id"]}) >= 2
        assert node["parent"] is None or by_id[node["parent"]]["depth"] == node["depth"] - 1


def test_a_broken_model_is_drawn_up_to_where_it_fails(tmp_path):
    """Exit 1 as the summary's, the page written all the same: the failing
    layer marked, the failure said first, no memory chart, no script error."""
    path = tmp_path / "broken.html"
    result = cli("report", "rules/CNA101/bad.py:Net", "-i", "1,28,28", "-o", path)
    assert result.exit_code == 1
    assert "rules/CNA101/bad.py:14: forward failed:" in result.stderr
    page = open_page(path)
    assert page.console == [] and 'data-ready="yes"' in page.dom
    assert '<p id="failure" class="failure">Forward failed at fc1 (rules/CNA101/bad.py:14)' \
        in page.dom
    assert re.search(r'<g class="node[^"]*has-error[^"]*" data-id="\d+" data-name="fc1"', page.dom)
    assert 'id="memory"' not in page.dom


def test_a_closed_block_opens_to_show_a_layer_inside(pages):
    """EfficientNet-B0 opens at its stages; a link to a layer four levels down
    opens the blocks around it (drawn as frames) and selects it."""
    data = embedded_data(pages["efficientnet_b0"].read_text())
    target = next(n for n in data["graph"]["nodes"] if n["name"] == "blocks.3.1.conv_pw")
    assert target["depth"] > data["depth"]
    closed = open_page(pages["efficientnet_b0"])
    assert 'data-name="blocks.3.1.conv_pw"' not in closed.dom
    opened = open_page(pages["efficientnet_b0"], fragment="select=blocks.3.1.conv_pw")
    assert opened.console == []
    assert re.search(r'<g class="node[^"]*selected[^"]*" data-id="\d+" '
                     r'data-name="blocks.3.1.conv_pw"', opened.dom)
    frames = re.findall(r'<g class="cluster" data-id="(\d+)"', opened.dom)
    names = {n["id"]: n["name"] for n in data["graph"]["nodes"]}
    assert {"blocks", "blocks.3", "blocks.3.1"} <= {names[int(i)] for i in frames}
