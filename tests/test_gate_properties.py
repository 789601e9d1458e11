"""Property: whatever a user writes in [tool.cnnaudit] or on the command line,
cnnaudit answers with exit 0, 1 or 2 and at most one-line errors: never a
traceback, never "internal error". Run in-process (click's runner) so that a
hundred inputs take seconds."""

import json
import math
import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnaudit.cli import main

NET = '''
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x)).relu().flatten(1))
'''

CONFIG_KEYS = ["input-size", "select", "ignore", "fail-on", "max-suggestions", "max-params",
               "max-macs", "max-memory", "memory-batch-size", "oversized-fc-share",
               "min-savings-share", "bottleneck-min-channels", "truncation-min-share", "strict",
               "models", "lint", "summary", "probe", "no-such-key"]
LINT_OPTIONS = ["--fail-on", "--max-suggestions", "--max-params", "--max-macs", "--max-memory",
                "--memory-batch-size", "--select", "--ignore", "--input-size", "--model-args",
                "--device", "--format"]
SUMMARY_OPTIONS = ["--depth", "--batch-size", "--optimizer", "--amp", "--dtype",
                   "--memory-budget", "--counter", "--trace-batch-size", "--input-size",
                   "--format", "--device"]

texts = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["warning", "Warning", "error", "CNA1", "CNA9", "8GiB", "-1", "0", "1,8,8",
                     "1,8", "x", "", "1e999", "adam", "bf16", "meta", "cpu", "json", "9" * 30,
                     "num_classes=3", "a=", "=b", "nan"]),
    st.text(max_size=6),
)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.booleans(),
                    texts)
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.sampled_from(["depth", "steps", "fail-on", "x"]), scalars,
                                   max_size=2))


def check(result):
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output, \
        result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("props")
    (root / "net.py").write_text(NET)
    return root


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.dictionaries(st.sampled_from(CONFIG_KEYS), values, max_size=3))
def test_any_config_is_answered_in_one_line(folder, entries, monkeypatch):
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CNNAUDIT_CACHE_DIR", str(folder / ".cache"))
    lines = ["[tool.cnnaudit]"] + [f"{json.dumps(k)} = {toml_value(v)}"
                                   for k, v in entries.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n")
    check(CliRunner().invoke(main, ["lint", "net.py:Net", "-i", "1,8,8"]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["lint", "summary"]), data=st.data())
def test_any_option_value_is_answered_in_one_line(folder, command, data, monkeypatch):
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CNNAUDIT_CACHE_DIR", str(folder / ".cache"))
    (folder / "pyproject.toml").write_text("")
    names = SUMMARY_OPTIONS if command == "summary" else LINT_OPTIONS
    chosen = data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
    args = [command, "net.py:Net"]
    for name in chosen:
        args += [name, data.draw(texts)]
    if "--input-size" not in chosen:
        args += ["-i", "1,8,8"]
    check(CliRunner().invoke(main, args))


def test_the_property_check_can_fail():
    class Broken:
        exit_code, output, exception = 2, "cnnaudit: internal error: boom", None

    with pytest.raises(AssertionError):
        check(Broken())
    os.environ.get("CI")  # keep the import used when run alone
