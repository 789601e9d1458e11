"""The summary on what people really pass (issue 13): factory SPECs, 1-D and
3-D models, several outputs, --depth, data-dependent and resizing models,
fvcore's convention, library models — and timm's zoo against fvcore."""

import json

import pytest
from click.testing import CliRunner
from conftest import MODELS, line_of

import cnnaudit
from cnnaudit.cli import main
from cnnaudit.errors import CnnauditError

REACH = MODELS / "reach_models.py"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_a_factory_spec_is_named_by_the_architecture_it_was_asked_for():
    result = cli("summary", f"{REACH}:create", "-a", "model_name='wide'", "--input-size",
                 "3,8,8", "-f", "json")
    data = json.loads(result.output)
    assert (data["model"], data["spec"], data["model_args"]) == (
        "wide", f"{REACH}:create", {"model_name": "wide"})
    text = cli("summary", f"{REACH}:create", "-a", "model_name='wide'", "--input-size",
               "3,8,8").stdout
    assert text.startswith(f"wide ({REACH}:create, model_name='wide') · input [3, 8, 8]")
    # A class keeps its own name whatever its arguments.
    assert cnnaudit.summary(f"{REACH}:Audio", (1, 100)).model == "Audio"


def test_input_size_hints_follow_the_first_convolution():
    with pytest.raises(CnnauditError, match=r"pass --input-size 1,L$"):
        cnnaudit.summary(f"{REACH}:Audio", (1, 100, 100))
    with pytest.raises(CnnauditError, match=r"takes 4: pass --input-size 3,D,H,W$"):
        cnnaudit.summary(f"{REACH}:Video", (3, 32, 32))
    result = cli("summary", f"{REACH}:Video", "--input-size", "3,32,32")
    assert result.exit_code == 2
    assert f"conv (Conv3d at {REACH.relative_to(MODELS.parent.parent)}:" \
           f"{line_of(REACH, 'nn.Conv3d(3, 4, 3)')})" in result.stderr
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr
    # With no size given, 1-D and 3-D inputs are inferred from the classifier.
    assert cnnaudit.summary(f"{REACH}:Audio").input_shapes == [(1, 99)]  # smallest L
    assert cnnaudit.summary(f"{REACH}:Video").input_shapes == [(3, 6, 6, 6)]


def test_every_output_of_a_module_is_shown():
    summary = cnnaudit.summary(f"{REACH}:Twin", (3, 16, 16), depth=1)
    encoder = summary.layers[0]
    assert encoder.name == "enc"
    assert encoder.output_shapes == [[2, 4, 16, 16], [2, 8, 8, 8]]
    assert summary.to_dict()["layers"][0]["output_shapes"] == [[2, 4, 16, 16], [2, 8, 8, 8]]
    assert "[1,4,16,16] [1,8,8,8]" in cnnaudit.render(summary)  # at the user's batch (1)
    csv = cli("summary", f"{REACH}:Twin", "--input-size", "3,16,16", "-d", "1", "-f", "csv")
    assert ",2x4x16x16;2x8x8x8," in csv.stdout


def test_the_table_shows_shapes_at_the_users_batch_and_the_data_as_traced():
    """Traced at batch 2, shown at 1 or 16: a folded batch scales with it, a
    tensor made from parameters alone does not."""
    rows = {layer.name: layer for layer in
            cnnaudit.summary(f"{REACH}:FoldsTheBatch", (1, 2, 2), depth=None).layers}
    assert rows["view"].output_shapes == [[8, 10]] and rows["view"].per_batch == [True]
    assert rows["mul"].output_shapes == [[6, 10]] and rows["mul"].per_batch == [False]
    for batch in (1, 16):
        result = cli("summary", f"{REACH}:FoldsTheBatch", "-i", "1,2,2", "-d", "-1",
                     "--batch-size", str(batch))
        table = {line.split()[0]: line for line in result.output.splitlines() if line}
        assert f"shapes at batch {batch} (traced at batch 2" in result.output
        assert f"[{batch}, 10, 2, 2]" in table["conv"]
        assert f"[{4 * batch}, 10]" in table["view"]  # 4 rows per sample, as the bug makes
        assert "[6, 10]" in table["mul"]
    data = json.loads(cli("summary", f"{REACH}:FoldsTheBatch", "-i", "1,2,2", "-d", "-1",
                          "--batch-size", "16", "-f", "json").stdout)
    assert data["batch_size"] == 16 and data["trace_batch_size"] == 2
    assert [layer["output_shapes"] for layer in data["layers"]][1] == [[8, 10]]


def test_depth_zero_shows_totals_and_deep_runs_of_functions_fold():
    summary = cnnaudit.summary(f"{REACH}:PostProcessing", (3, 8, 8), depth=0)
    assert summary.layers == []
    text = cnnaudit.render(summary)
    assert "Layer" not in text and "Params" in text

    full = cnnaudit.summary(f"{REACH}:PostProcessing", (3, 8, 8), depth=None)
    top = cnnaudit.summary(f"{REACH}:PostProcessing", (3, 8, 8), depth=1)
    assert len(full.layers) == 1 + 20 * 5  # conv, then 2 slices, mul, add, cat per round
    assert [layer.name for layer in top.layers] == ["conv", "(100 ops)"]
    folded = top.layers[1]
    assert folded.calls == 100 and folded.output_shape == [2, 4, 8, 8]
    assert folded.activation_bytes == sum(layer.activation_bytes for layer in full.layers[1:])
    assert folded.type.startswith("Tensor.__getitem__ ×40")
    for depth in (-2, -7):
        with pytest.raises(CnnauditError, match="depth must be 0 or more"):
            cnnaudit.summary(f"{REACH}:PostProcessing", (3, 8, 8), depth=depth)


def test_data_dependent_models_say_so_in_plain_words_and_count_the_same_each_time():
    first = cnnaudit.summary(f"{REACH}:Proposals", (3, 8, 8))
    second = cnnaudit.summary(f"{REACH}:Proposals", (3, 8, 8))
    assert first.device == "cpu" and first.totals.macs == second.totals.macs
    (note,) = first.notes
    assert f"nonzero() at {REACH.relative_to(MODELS.parent.parent)}:" \
           f"{line_of(REACH, '.nonzero()')} needs tensor values" in note
    assert "depend on the input's values and the weights" in note
    assert "register_meta" not in note and "torch.fx" not in note and "_config" not in note


def test_a_model_that_resizes_its_input_says_the_size_it_ran_at():
    summary = cnnaudit.summary(f"{REACH}:Resizing", (3, 8, 8))
    assert summary.notes == ["note: the model resizes its input: its first convolution, conv, "
                             "ran at 32×32 (the input was 8×8); the counts are for 32×32"]
    assert summary.totals.macs == 32 * 32 * 4 * 3 * 9
    assert cnnaudit.summary(f"{REACH}:Twin", (3, 16, 16)).notes == []


def test_counters_name_one_d_ops_as_called_and_fvcore_states_its_own_convention():
    native = cnnaudit.render(cnnaudit.summary(f"{REACH}:Audio", (1, 100)))
    assert "Not counted   avg_pool1d ×1, relu ×1 (convention: conv, linear, matmul" in native
    fvcore = cnnaudit.render(cnnaudit.summary(f"{REACH}:Audio", (1, 100), counter="fvcore"))
    assert "Counted by    fvcore: conv 1,920, linear 1,920 (fvcore's convention" in fvcore
    assert "Not counted   avg_pool1d ×1 (fvcore has no handle for them)" in fvcore
    assert "convention: conv, linear, matmul MACs only" not in fvcore


def test_a_library_model_says_so_once_and_shows_paths_within_the_package():
    summary = cnnaudit.summary("torchvision.models:resnet18", (3, 32, 32), depth=1)
    assert summary.library == "torchvision"
    text = cnnaudit.render(summary).splitlines()
    assert text[1] == ("Source: torchvision's code (no layer is defined in your files); "
                       "paths relative to the torchvision package")
    assert any(line.rstrip().endswith(" models/resnet.py:197") for line in text)
    assert summary.to_dict()["layers"][0]["file"] == "torchvision/models/resnet.py"
    assert cnnaudit.summary(f"{REACH}:Twin", (3, 16, 16)).library is None


# timm's zoo against fvcore, CI-sized: small members of distinct families at a
# small input (fvcore's jit trace runs real tensors). The full zoo, 105 models
# at their default size, is benchmarks/speed_timm.py and docs/benchmarks.md.
@pytest.mark.parametrize("name", ["lcnet_050", "mobilenetv3_small_050", "regnetx_002",
                                  "ghostnet_050", "resnet10t", "efficientnet_b0"])
def test_timm_params_are_exact_and_macs_match_fvcore(name):
    timm = pytest.importorskip("timm")
    summary = cnnaudit.summary("timm:create_model", (3, 64, 64),
                               model_args={"model_name": name}, depth=None)
    model = timm.create_model(name)
    assert summary.model == name
    assert summary.totals.params == sum(p.numel() for p in model.parameters())
    fvcore = cnnaudit.summary(model, (3, 64, 64), counter="fvcore").fvcore
    assert summary.totals.macs == fvcore["matrix_macs"]
