"""The gate never says yes to a broken model: throwaway projects linted as the
pre-commit hook runs cnnaudit, each case asserting the exit code and the line
that explains it. What depends on a fresh process (a model ending it, files
changing between runs, a closed pipe, two runs at once) runs the console
module in a subprocess, exactly as the hook does; the rest runs the same
command in-process, a torch import cheaper per case."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

# Clean under every rule: the dilated 3×3 sees 9×9 of the 16×16 input, so
# global pooling reads features of more than half a side (CNA210).
GOOD = textwrap.dedent('''
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, dilation=4, bias=False)
            self.bn = nn.BatchNorm2d(8)
            self.head = nn.Linear(8, 10)

        def forward(self, x):
            return self.head(self.bn(self.conv(x)).relu().mean((2, 3)))
''')


def project(tmp_path, files: dict[str, str], pyproject: str = "") -> str:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.cnnaudit]\ninput-size = \"1,16,16\"\n"
                                         + pyproject)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def hook(root, *args):
    """``cnnaudit lint ARGS`` in ``root``, in this process (click's runner)."""
    from click.testing import CliRunner

    from cnnaudit.cli import main

    here, cache = os.getcwd(), os.environ.get("CNNAUDIT_CACHE_DIR")
    os.chdir(root)
    os.environ["CNNAUDIT_CACHE_DIR"] = os.path.join(root, ".cache-test")
    try:
        result = CliRunner().invoke(main, ["lint", *args])
    finally:
        os.chdir(here)
        if cache is None:
            os.environ.pop("CNNAUDIT_CACHE_DIR", None)
        else:
            os.environ["CNNAUDIT_CACHE_DIR"] = cache
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def hook_process(root, *args):
    """``cnnaudit lint ARGS`` in ``root``: the console module in its own process."""
    env = dict(os.environ, CNNAUDIT_CACHE_DIR=os.path.join(root, ".cache-test"))
    return subprocess.run([sys.executable, "-m", "cnnaudit", "lint", *args], cwd=root,
                          capture_output=True, text=True, timeout=300, env=env)


def test_a_model_whose_file_fails_to_import_is_exit_2_at_its_line(tmp_path):
    root = project(tmp_path, {"good.py": GOOD,
                              "broken.py": GOOD + "\nCONFIG = {}['missing']\n"})
    out = hook(root, "good.py", "broken.py")
    assert out.returncode == 2, out.stderr
    assert "broken.py:15: importing the model file failed: KeyError" in out.stderr
    assert "1 model analysed, 0 skipped, 1 could not be analysed" in out.stderr


def test_a_class_that_needs_arguments_is_skipped_counted_and_strict_makes_it_fatal(tmp_path):
    needs = GOOD.replace("def __init__(self):", "def __init__(self, width):")
    root = project(tmp_path, {"good.py": GOOD, "needs.py": needs})
    out = hook(root, "good.py", "needs.py")
    assert out.returncode == 0, out.stderr
    assert "note: skipped needs.py:Net: Net() needs arguments: width" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("cnnaudit: 1 model analysed, 1 skipped")
    out = hook(root, "good.py", "needs.py", "--strict")
    assert out.returncode == 2 and "needs arguments: width" in out.stderr
    with open(os.path.join(root, "pyproject.toml"), "a") as handle:
        handle.write("strict = true\n")
    assert hook(root, "needs.py").returncode == 2


def test_a_model_cannot_end_the_run(tmp_path):
    """sys.exit at import, in the constructor and in forward, and os._exit in
    forward: each is that model's error (exit 2), and the run goes on to the next."""
    forward = "        return self.head"
    models = {
        "at_import.py": "import sys\nsys.exit(0)\n" + GOOD,
        "in_init.py": "import sys\n" + GOOD.replace(
            "super().__init__()", "super().__init__()\n        sys.exit(3)"),
        "in_forward.py": "import sys\n" + GOOD.replace(forward, "        sys.exit(0)\n" + forward),
        "os_exit.py": "import os\n" + GOOD.replace(forward, "        os._exit(0)\n" + forward),
    }
    root = project(tmp_path, models)
    out = hook_process(root, *models)
    assert out.returncode == 2, (out.stdout, out.stderr)
    for said in ("at_import.py:2: importing the model file failed: the code called sys.exit(0) "
                 "while being imported", "in_init.py:9: Net() called sys.exit(3)",
                 "in_forward.py:14: forward called sys.exit(0)",
                 "os_exit.py:14: forward called os._exit(0)"):
        assert said in out.stderr, out.stderr
    assert "0 models analysed, 0 skipped, 4 could not be analysed" in out.stderr


def test_a_model_that_prints_leaves_json_parseable(tmp_path):
    noisy = "print('loading the model')\n" + GOOD.replace(
        "        return self.head", "        print('forward!')\n        return self.head")
    root = project(tmp_path, {"net.py": noisy})
    out = hook(root, "net.py", "--format", "json")
    assert json.loads(out.stdout)["model"] == "Net"
    assert "forward!" in out.stderr and "loading the model" in out.stderr


def test_a_directory_given_as_a_model_file_says_so(tmp_path):
    root = project(tmp_path, {"models/net.py": GOOD})
    out = hook(root, "models:Net")
    assert out.returncode == 2
    out = hook(root, "models/:Net")
    assert out.returncode == 2 and "is a directory, not a model file" in out.stderr


def test_a_closed_pipe_is_not_an_internal_error(tmp_path):
    root = project(tmp_path, {"net.py": GOOD.replace("bias=False", "bias=True")})
    env = dict(os.environ, CNNAUDIT_CACHE_DIR=os.path.join(root, ".cache-test"))
    out = subprocess.run(f"{sys.executable} -m cnnaudit lint net.py -f sarif | head -1",
                         shell=True, cwd=root, capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.stdout.strip() == "{"
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr


def test_the_cache_never_serves_a_stale_pass(tmp_path):
    """Two models whose sizes come from files the AST does not show: a JSON
    config read at import, and a module loaded with importlib."""
    json_model = ("import json, pathlib\n"
                  "WIDTH = json.loads((pathlib.Path(__file__).parent / 'cfg.json')"
                  ".read_text())['width']\n"
                  + GOOD.replace("nn.Linear(8, 10)", "nn.Linear(WIDTH, 10)"))
    importlib_model = ("import importlib\nWIDTH = importlib.import_module('widths').WIDTH\n"
                       + GOOD.replace("nn.Linear(8, 10)", "nn.Linear(WIDTH, 10)"))
    root = project(tmp_path, {"json_net.py": json_model, "cfg.json": '{"width": 8}',
                              "importlib_net.py": importlib_model, "widths.py": "WIDTH = 8\n"})
    assert hook_process(root, "json_net.py", "importlib_net.py").returncode == 0
    with open(os.path.join(root, "cfg.json"), "w") as handle:
        handle.write('{"width": 9}')
    with open(os.path.join(root, "widths.py"), "w") as handle:
        handle.write("WIDTH = 7\n")
    out = hook_process(root, "json_net.py", "importlib_net.py", "-f", "json")
    assert out.returncode == 1, out.stderr
    found = {r["spec"]: [f["code"] for f in r["findings"]] for r in json.loads(out.stdout)}
    assert found == {"importlib_net.py:Net": ["CNA101"], "json_net.py:Net": ["CNA101"]}


def test_a_cache_entry_of_the_wrong_shape_is_a_miss(tmp_path):
    shapes = ["[]", "{}", '{"format": 2, "result": [], "reads": {}}', "null", "7"]
    files = {f"net{i}.py": GOOD for i in range(len(shapes))}
    root = project(tmp_path, files)
    assert hook(root, *files).returncode == 0
    folder = os.path.join(root, ".cache-test", "lint")
    entries = sorted(os.listdir(folder))
    assert len(entries) == len(shapes)
    for name, shape in zip(entries, shapes):
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(shape)
    out = hook(root, *files)
    assert out.returncode == 0 and "internal error" not in out.stderr, out.stderr
    assert "from the cache" not in out.stdout


def test_the_key_covers_cnnaudits_own_sources(monkeypatch):
    from cnnaudit.cli import cache

    first = cache.cache_key(spec="a.py:Net", sources=[], settings={}, root="/")
    monkeypatch.setattr(cache, "own_sources_digest", lambda: "edited")
    assert cache.cache_key(spec="a.py:Net", sources=[], settings={}, root="/") != first


def test_a_suppression_inside_a_string_does_not_suppress(tmp_path):
    biased = GOOD.replace("bias=False)", "bias=True)  # cnnaudit: ignore[CNA202]")
    in_string = GOOD.replace("bias=False)", "bias=True); NOTE = '# cnnaudit: ignore[CNA202]'")
    root = project(tmp_path, {"commented.py": biased, "stringed.py": in_string})
    out = hook(root, "commented.py", "stringed.py", "--select", "CNA202", "-f", "json")
    found = {r["spec"]: [f["code"] for f in r["findings"]] for r in json.loads(out.stdout)}
    assert found == {"commented.py:Net": [], "stringed.py:Net": ["CNA202"]}


def test_files_in_other_encodings_are_read_as_python_reads_them(tmp_path):
    latin = ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD.replace(
        "bias=False)", "bias=True)  # cnnaudit: ignore[CNA202]")).encode("latin-1")
    bom = b"\xef\xbb\xbf" + GOOD.encode()
    root = project(tmp_path, {})
    with open(os.path.join(root, "latin.py"), "wb") as handle:
        handle.write(latin)
    with open(os.path.join(root, "bom.py"), "wb") as handle:
        handle.write(bom)
    out = hook(root, "latin.py", "bom.py", "--select", "CNA202", "-f", "json")
    assert out.returncode == 0, out.stderr
    reports = json.loads(out.stdout)
    assert sorted(r["spec"] for r in reports) == ["bom.py:Net", "latin.py:Net"]
    assert all(not r["findings"] for r in reports)  # the latin-1 file's suppression was read
    assert reports[[r["spec"] for r in reports].index("latin.py:Net")]["suppressed"] == 1


@pytest.mark.parametrize("args, said", [
    (["--depth", "-7"], "-7 is not in the range x>=-1"),
])
def test_summary_options_are_range_checked(args, said):
    from conftest import run_cli

    out = run_cli("summary", "examples/cheatsheet_net.py:Net", "-i", "1,28,28", *args)
    assert out.returncode == 2 and said in out.stderr


@pytest.mark.parametrize("args, said", [
    (["--max-params", "-1"], "-1 is not in the range x>=0"),
    (["-i", "99999999999999999999,2,2"], "more than any tensor can index"),
    (["--baseline", "missing/dir/base.json", "--update-baseline"], "cannot write the baseline"),
])
def test_bad_lint_inputs_are_one_line_and_exit_2(tmp_path, args, said):
    root = project(tmp_path, {"net.py": GOOD})
    out = hook(root, "net.py:Net", *args)
    assert out.returncode == 2 and said in out.stderr, out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr


def test_a_budget_of_zero_and_a_huge_baseline_count(tmp_path):
    root = project(tmp_path, {"net.py": GOOD})
    out = hook(root, "net.py:Net", "--max-params", "0")
    assert out.returncode == 1 and "CNA401" in out.stdout and "internal" not in out.stderr
    with open(os.path.join(root, "base.json"), "w") as handle:
        handle.write('{"findings": [{"key": "k", "count": 1e999}]}')
    out = hook(root, "net.py:Net", "--baseline", "base.json")
    assert out.returncode == 2 and "not a cnnaudit baseline file" in out.stderr


def test_the_api_says_what_input_size_takes():
    import cnnaudit

    with pytest.raises(TypeError, match="input_size must be a shape"):
        cnnaudit.summary("examples/cheatsheet_net.py:Net", 28)


def test_sarif_uris_are_percent_encoded(tmp_path):
    root = project(tmp_path, {"my models/net 100%.py": GOOD.replace("bias=False", "bias=True")})
    out = hook(root, "my models/net 100%.py", "-f", "sarif")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(out.stdout)["runs"][0]["results"]
            for loc in result["locations"]}
    assert uris == {"my%20models/net%20100%25.py"}


def test_a_suppression_on_the_closing_line_of_a_call_applies_or_is_reported(tmp_path):
    closing = GOOD.replace("nn.Conv2d(1, 8, 3, dilation=4, bias=False)",
                           "nn.Conv2d(\n            1, 8, 3,\n            bias=True,\n"
                           "        )  # cnnaudit: ignore[CNA202]")
    wrong = closing.replace("ignore[CNA202]", "ignore[CNA301]")
    root = project(tmp_path, {"closing.py": closing, "wrong.py": wrong})
    out = hook(root, "closing.py", "wrong.py", "--select", "CNA202,CNA002", "-f", "json")
    closing_report, wrong_report = sorted(json.loads(out.stdout), key=lambda r: r["spec"])
    assert closing_report["findings"] == [] and closing_report["suppressed"] == 1
    codes = sorted((f["code"], f["line"]) for f in wrong_report["findings"])
    assert codes == [("CNA002", 11), ("CNA202", 8)], codes  # the closing line, the call


def _hammer(directory, worker, rounds):
    """One process writing and reading the same entries as another."""
    from cnnaudit.cli.cache import ResultCache

    os.environ["CNNAUDIT_CACHE_DIR"] = directory
    cache = ResultCache(directory)
    bad = 0
    for round_ in range(rounds):
        for key in ("a" * 64, "b" * 64):
            cache.put(key, {"findings": [], "model": f"w{worker}r{round_}"}, set(), directory)
            got = cache.get(key, directory)
            bad += got is not None and not str(got.get("model", "")).startswith("w")
    return bad


def test_two_processes_sharing_a_cache_never_read_a_torn_entry(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    directory = str(tmp_path / "shared-cache")
    with ProcessPoolExecutor(2) as pool:
        torn = list(pool.map(_hammer, [directory] * 2, [0, 1], [20, 20]))
    assert torn == [0, 0]
    assert not [n for n in os.listdir(os.path.join(directory, "lint")) if n.endswith(".tmp")]


def test_two_cold_lints_at_once_and_an_unwritable_cache(tmp_path):
    root = project(tmp_path, {"net.py": GOOD.replace("bias=False", "bias=True")})
    env = dict(os.environ, CNNAUDIT_CACHE_DIR=os.path.join(root, ".cache-test"))
    runs = [subprocess.Popen([sys.executable, "-m", "cnnaudit", "lint", "net.py", "-f", "json"],
                             cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], outputs
    assert outputs[0][0] == outputs[1][0]
    assert hook_process(root, "net.py", "-f", "json").stdout == outputs[0][0]  # a clean hit
    # A cache that cannot be written (its folder would sit below a file): still linted.
    blocker = os.path.join(root, "blocker")
    open(blocker, "w").close()
    env["CNNAUDIT_CACHE_DIR"] = os.path.join(blocker, "cache")
    out = subprocess.run([sys.executable, "-m", "cnnaudit", "lint", "net.py"], cwd=root,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "CNA202" in out.stdout and "error" not in out.stderr


def test_a_configured_model_is_found_from_a_subfolder_and_reported_once(tmp_path):
    root = project(tmp_path, {"models/net.py": GOOD.replace("bias=False", "bias=True")},
                   '[tool.cnnaudit.models."models/net.py:Net"]\ninput-size = "1,16,16"\n')
    env = dict(os.environ, CNNAUDIT_CACHE_DIR=os.path.join(root, ".cache-test"))
    out = subprocess.run([sys.executable, "-m", "cnnaudit", "lint", "net.py", "-f", "json"],
                         cwd=os.path.join(root, "models"), capture_output=True, text=True,
                         env=env, timeout=300)
    report = json.loads(out.stdout)  # one report, not a list of two spellings
    assert report["spec"] == "net.py:Net" and out.returncode == 1
    assert [f["code"] for f in report["findings"]] == ["CNA202"]


@pytest.mark.parametrize("text, said", [
    (b"[tool]\ncnnaudit = 5\n", "pyproject.toml:2: [tool.cnnaudit] must be a table, not 5"),
    (b"[tool.cnnaudit]\nfail-on = \"caf\xe9\"\n", "pyproject.toml: not UTF-8"),
    (b"[tool.cnnaudit]\noversized-fc-share = nan\n",
     "pyproject.toml:2: [tool.cnnaudit]: oversized-fc-share must be a share between 0 and 1"),
    (b"[tool.cnnaudit]\nmemory-batch-size = 0\n",
     "pyproject.toml:2: [tool.cnnaudit] memory-batch-size: 0 is not in the range x>=1"),
])
def test_a_broken_config_is_one_line_at_its_line(tmp_path, text, said):
    root = project(tmp_path, {"net.py": GOOD})
    with open(os.path.join(root, "pyproject.toml"), "wb") as handle:
        handle.write(text)
    out = hook(root, "net.py", "-i", "1,16,16")
    assert out.returncode == 2 and out.stderr.strip() == out.stderr.strip().splitlines()[0]
    assert out.stderr.startswith(said), out.stderr


def test_a_dangling_link_in_a_folder_is_skipped_with_a_note(tmp_path):
    root = project(tmp_path, {"models/net.py": GOOD})
    os.symlink(os.path.join(root, "gone.py"), os.path.join(root, "models", "old.py"))
    out = hook(root, "models")
    assert out.returncode == 0, out.stderr
    assert "note: skipped models/old.py: a link to nothing" in out.stderr


def test_lazy_modules_by_spec_and_file(tmp_path):
    lazy = GOOD.replace("nn.Conv2d(1, 8, 3, dilation=4, bias=False)",
                        "nn.LazyConv2d(8, 3, dilation=4, bias=False)") \
        .replace("nn.Linear(8, 10)", "nn.LazyLinear(10)")
    root = project(tmp_path, {"lazy.py": lazy}, "")
    out = hook(root, "lazy.py:Net", "-i", "1,16,16", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert "lazy modules sized by one forward pass" in out.stderr


def test_any_exception_class_the_model_raises_is_its_error_not_ours(tmp_path):
    """BaseException subclasses (not Exception, not SystemExit) at import, in the
    constructor and in forward: reported at the user's line, never a traceback."""
    boom = "class Boom(BaseException):\n    pass\n"
    models = {
        "at_import.py": boom + "\nraise Boom('import')\n",
        "in_init.py": boom + GOOD.replace("super().__init__()",
                                          "super().__init__()\n        raise Boom('init')"),
        "in_forward.py": boom + GOOD.replace("        return self.head",
                                             "        raise Boom('forward')"),
    }
    root = project(tmp_path, models)
    out = hook(root, "at_import.py:Net", "in_init.py", "in_forward.py")
    assert out.returncode == 2, out.stderr
    assert "at_import.py:4: importing the model file failed: Boom: import" in out.stderr
    assert "in_init.py:10: Net() raised Boom: init" in out.stderr
    assert "in_forward.py:15:" in out.stdout and "CNA001" in out.stdout
    assert "Traceback" not in out.stderr + out.stdout
