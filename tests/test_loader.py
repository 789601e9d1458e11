"""Loading a SPEC: files and modules, classes and factories, on the meta device,
with construction sites; and one clear error for each kind of bad input."""

import pytest
import torch
from conftest import MODELS, line_of
from torch import nn

from cnnaudit.errors import CnnauditError
from cnnaudit.load import load, parse_model_args, split_spec

SITES = str(MODELS / "sites_model.py")
BROKEN = str(MODELS / "broken_models.py")


def test_file_spec_builds_on_meta_without_weights():
    loaded = load(f"{SITES}:Net")
    assert loaded.device == "meta"
    assert all(p.device.type == "meta" for p in loaded.model.parameters())
    assert loaded.notes == []


def test_construction_sites_inside_sequential_and_helper():
    sites = load(f"{SITES}:Net").sites
    assert sites["features.0"].line == line_of(SITES, "nn.Conv2d(3, width, 3, padding=1)")
    assert sites["head"].line == line_of(SITES, "self.head = nn.Linear")
    # Built inside a helper function: the helper's own nn.Conv2d(...) line ...
    assert sites["features.2.0"].line == line_of(SITES, "nn.Conv2d(c_in, c_out, 3")
    assert sites["features.2.1"].line == line_of(SITES, "nn.BatchNorm2d(c_out)")
    # ... and the Sequential it returns was built on the helper's return line.
    assert sites["features.2"].line == line_of(SITES, "return nn.Sequential(")
    assert sites["features.0"].col == 13


def test_identical_files_keep_their_own_sites(tmp_path):
    # Code objects compare equal across files with the same source: a cache
    # keyed by them once gave the second file the first one's path.
    source = "from torch import nn\n\nclass Net(nn.Module):\n    def __init__(self):\n" \
             "        super().__init__()\n        self.conv = nn.Conv2d(1, 4, 3)\n"
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(source)
    for name in ("a.py", "b.py"):
        site = load(f"{tmp_path / name}:Net").sites["conv"]
        assert (site.file, site.line) == (str(tmp_path / name), 6)


class _ChainWalkRecorder:
    """The construction-site rule walked frame by frame for every module (how
    the recorder worked before it remembered the frames it had walked): the
    reference the remembering recorder must agree with."""

    def __init__(self, recorder_class):
        from cnnaudit.load import sites

        class Reference(recorder_class):
            def _record(self, module, frame):
                while frame is not None and sites._is_own_init(frame, module):
                    frame = frame.f_back
                chosen, depth = None, 0
                while frame is not None and depth < self.MAX_CHAIN:
                    filename = frame.f_code.co_filename
                    library = sites.is_library_file(filename)
                    if library and sites._ends_chain(filename):
                        break
                    point = (frame.f_code, frame.f_lasti, frame.f_lineno)
                    if not library:
                        chosen = point
                        break
                    chosen = chosen or point
                    frame, depth = frame.f_back, depth + 1
                self.frames[id(module)] = (module, chosen)

        self.recorder_class = Reference


@pytest.mark.parametrize("spec, args", [
    (f"{SITES}:Net", {}),
    ("torchvision.models:resnet18", {}),
    ("torchvision.models:mobilenet_v3_small", {}),
    ("timm:create_model", {"model_name": "efficientnet_b0"}),
    ("timm:create_model", {"model_name": "dla34"}),
    ("user file building timm's model", {}),
])
@pytest.mark.parametrize("max_chain", [3, 12])
def test_remembered_frames_give_the_sites_a_frame_by_frame_walk_gives(spec, args, max_chain,
                                                                      tmp_path, monkeypatch):
    # Building timm's models goes 8 to 14 frames deep inside the library:
    # both sides of the MAX_CHAIN cut-off are reached.
    from cnnaudit.load import build, sites

    if "timm" in spec:
        pytest.importorskip("timm")
    if spec.startswith("user file"):  # the user's line is the site, when near enough
        path = tmp_path / "build_timm.py"
        path.write_text("import timm\n\n\ndef build():\n"
                        "    return timm.create_model('mixnet_s')\n")
        spec = f"{path}:build"
    monkeypatch.setattr(sites.ConstructionRecorder, "MAX_CHAIN", max_chain)
    fast = load(spec, args).sites
    monkeypatch.setattr(build, "ConstructionRecorder",
                        _ChainWalkRecorder(sites.ConstructionRecorder).recorder_class)
    assert load(spec, args).sites == fast


def test_weight_initialization_is_skipped_on_meta_but_its_checks_stay():
    # Random init on meta computes nothing but ran torch's Python kernels (half
    # of building a small timm model); skipping it must not hide what the same
    # call raises on the CPU.
    from cnnaudit.load.meta import parameters_on_meta

    with parameters_on_meta():
        layer = nn.Linear(4, 4)
        assert nn.init.trunc_normal_(layer.weight, std=0.02) is layer.weight
        layer.weight.normal_(0, 0.01).clamp_(-1, 1)
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            nn.init.kaiming_uniform_(layer.bias)
        counts = torch.zeros(3, dtype=torch.long).fill_(2)  # small and real: values kept
    assert layer.weight.device.type == "meta" and layer.weight.shape == (4, 4)
    assert counts.tolist() == [2, 2, 2]


def test_module_spec_with_factory_and_model_args():
    loaded = load("torchvision.models:resnet18", {"num_classes": 7})
    assert loaded.model.fc.out_features == 7
    assert loaded.device == "meta"
    assert loaded.sites["conv1"].file.endswith("torchvision/models/resnet.py")


def test_regnet_builds_on_meta_although_its_constructor_computes_with_tensors():
    # torchvision's RegNet calls .tolist() on tensors while building, which a
    # blanket torch.device("meta") breaks.
    loaded = load("torchvision.models:regnet_y_400mf")
    assert loaded.notes == []
    assert loaded.device == "meta"


def test_large_factory_calls_are_born_on_meta_small_ones_stay_real():
    from cnnaudit.load.meta import parameters_on_meta

    with parameters_on_meta():
        big = torch.empty(1 << 23)
        small = torch.arange(10)
        layer = nn.Linear(4, 4)
    assert big.device.type == "meta"
    assert small.device.type == "cpu" and small.tolist()[3] == 3
    assert layer.weight.device.type == "meta"
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad


def test_constructor_that_needs_values_falls_back_to_cpu_and_says_so():
    loaded = load(f"{BROKEN}:NeedsValuesToBuild")
    assert loaded.device == "cpu"
    assert len(loaded.notes) == 1
    assert "cannot be built on the meta device" in loaded.notes[0]
    assert f"broken_models.py:{line_of(BROKEN, 'self.scale = float(')}" in loaded.notes[0]


def test_model_args_are_python_literals():
    assert parse_model_args(["num_classes=10", "width=0.5", "mode=fast", "sizes=(1, 2)"]) == {
        "num_classes": 10, "width": 0.5, "mode": "fast", "sizes": (1, 2)}
    with pytest.raises(CnnauditError, match="key=value"):
        parse_model_args(["novalue"])
    with pytest.raises(CnnauditError, match="not a Python literal"):
        parse_model_args(["x=[1, 2"])


def _error(spec, **kwargs) -> CnnauditError:
    with pytest.raises(CnnauditError) as info:
        load(spec, **kwargs)
    return info.value


def test_missing_file():
    assert "no such file: nowhere/model.py" in str(_error("nowhere/model.py:Net"))


def test_missing_name_lists_the_module_classes_the_file_has():
    message = str(_error(f"{BROKEN}:Missing"))
    assert "has no attribute 'Missing'" in message
    assert "ChannelMismatch" in message and "FlattenMismatch" in message
    assert "NotAModule" not in message  # not an nn.Module


def test_syntax_error_points_at_file_and_line():
    error = _error(f"{MODELS / 'syntax_error.py'}:Net")
    assert error.line == 4 and error.file.endswith("syntax_error.py")
    assert str(error).startswith("tests/models/syntax_error.py:4: syntax error")


def test_exception_while_importing_points_at_the_line():
    error = _error(f"{MODELS / 'import_error.py'}:Net")
    assert error.line == line_of(MODELS / "import_error.py", "1 / 0")
    assert "ZeroDivisionError" in error.message


def test_constructor_that_needs_arguments_names_them_and_the_option():
    message = str(_error(f"{BROKEN}:NeedsArgs"))
    assert "NeedsArgs() needs arguments: num_classes" in message
    assert "--model-args num_classes=" in message
    assert load(f"{BROKEN}:NeedsArgs", {"num_classes": 3}).model.fc.out_features == 3


def test_unknown_constructor_argument():
    message = str(_error(f"{BROKEN}:NeedsArgs", model_args={"num_classes": 3, "depth": 2}))
    assert "has no argument 'depth'" in message


@pytest.mark.parametrize("name, expected", [
    ("NotAModule", "not an nn.Module subclass"),
    ("not_a_model", "returned a int, not an nn.Module"),
    ("Constant", "is an int, not an nn.Module class or factory"),
])
def test_objects_that_are_not_modules(name, expected):
    assert expected in str(_error(f"{BROKEN}:{name}"))


def test_malformed_specs():
    with pytest.raises(CnnauditError, match="malformed SPEC"):
        split_spec("model.py")
    with pytest.raises(CnnauditError, match="malformed SPEC"):
        split_spec("model.py:3x")
    assert "no module named 'nopackage'" in str(_error("nopackage.models:Net"))
