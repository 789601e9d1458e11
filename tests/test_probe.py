"""The probe on the CPU: rewrites equal to their predictions, the same data
for every variant, verdicts, failures that stay local, DDP over gloo."""

import json
import math

import pytest
import torch
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

import cnnaudit
from cnnaudit.cli import main
from cnnaudit.load import import_target, load
from cnnaudit.probing import ProbeOptions, Variant
from cnnaudit.probing.rewrites import apply_findings
from cnnaudit.probing.train import train_interleaved
from cnnaudit.probing.verdicts import assign_verdicts

CHEATSHEET = f"{EXAMPLES / 'cheatsheet_net.py'}:Net"
FAST = dict(steps=12, warmup=2, batch_size=32, progress=False)


@pytest.fixture(scope="module")
def report():
    return cnnaudit.probe(CHEATSHEET, (1, 28, 28), **FAST)


def test_every_applicable_suggestion_becomes_a_variant_plus_all(report):
    names = [v.name for v in report.variants]
    assert names[0] == "original" and names[-1] == "all"
    assert {"CNA301 fc1", "CNA302 conv2", "CNA202 conv1", "CNA202 conv2"} <= set(names)
    for variant in report.variants:
        assert variant.status == "ok", variant.note
        assert len(variant.step_times) == FAST["steps"]  # warm-up excluded


def test_variant_counts_are_what_the_findings_predicted(report):
    lint = cnnaudit.lint(CHEATSHEET, (1, 28, 28), max_suggestions=0)
    original = report.variants[0]
    by_name = {v.name: v for v in report.variants}
    for finding in lint.findings:
        variant = by_name.get(f"{finding.code} {finding.layer}")
        if variant is None:
            continue
        assert variant.params == original.params - finding.savings.params_saved
        assert variant.macs == original.macs - finding.savings.macs_saved


@pytest.mark.parametrize("code", ["CNA202", "CNA301", "CNA302", "CNA303", "CNA304"])
def test_rewrites_keep_shapes_and_match_predictions_on_the_evidence(code):
    path = ROOT / "rules" / code / "bad.py"
    module = import_target(str(path))
    lint = cnnaudit.lint(f"{path}:Net", module.INPUT_SIZE, select=[code], max_suggestions=0)
    model = load(f"{path}:Net", device="cpu").model
    before = cnnaudit.summary(model, module.INPUT_SIZE)
    assert lint.findings
    for finding in lint.findings:
        variant = apply_findings(model, [finding])
        after = cnnaudit.summary(variant, module.INPUT_SIZE)
        assert after.failure is None
        assert after.graph.outputs[0].shape == before.graph.outputs[0].shape
        assert before.totals.params - after.totals.params == finding.savings.params_saved
        assert before.totals.macs - after.totals.macs == finding.savings.macs_saved
        x = torch.randn(2, *module.INPUT_SIZE)  # and it runs for real
        assert variant.eval()(x).shape == model.eval()(x).shape


def test_stacked_3x3_with_stride_and_partial_padding():
    from cnnaudit.linting.plans import stacked_plan

    conv = torch.nn.Conv2d(8, 8, 7, stride=2, padding=1)
    plan = stacked_plan(conv.kernel_size, conv.stride, conv.padding)
    layers = [torch.nn.Conv2d(8, 8, k, stride=s, padding=p) for k, s, p in plan]
    x = torch.randn(1, 8, 33, 33)
    y = x
    for layer in layers:
        y = layer(y)
    assert len(plan) == 3 and y.shape == conv(x).shape


def test_json_keys(report):
    data = report.to_dict()
    assert data["schema_version"] == 3 and data["device"] == "cpu"
    assert data["steps"] == FAST["steps"] and data["batch_size"] == FAST["batch_size"]
    assert "MNIST" in data["data"]
    variant = data["variants"][0]
    assert {"name", "applied", "params", "macs", "step_time_ms", "samples_per_s",
            "peak_memory_bytes", "estimated_memory_bytes", "final_loss", "accuracy",
            "verdict", "claims"} <= set(variant)
    assert set(data["variants"][1]["claims"]) == {"speed", "accuracy", "memory"}
    assert set(variant["step_time_ms"]) == {"median", "iqr"}
    # measured on the CPU too (by the storage tracker), next to the estimate
    assert variant["peak_memory_bytes"] > 0 and variant["estimated_memory_bytes"] > 0
    assert 0.85 <= variant["memory_ratio"] <= 1.15
    assert variant["peak_memory_phase"] in ("forward", "backward", "step")
    assert variant["estimated_peak_phase"] == variant["peak_memory_phase"]
    assert 0 <= variant["accuracy"] <= 100
    json.dumps(data)


def _variant(name, median_ms, accuracy, status="ok"):
    variant = Variant(name, [], None, batch_size=8)
    variant.step_times = [median_ms / 1000] * 5
    variant.accuracy = accuracy
    variant.status = status
    return variant


def _measured(name, ms, noise, correct, seed, rounds=12, status="ok"):
    """A variant as the trainer leaves it: per-round median step times drawn
    around ``ms`` with relative ``noise``, and per-example correctness."""
    import random

    rng = random.Random(seed)
    variant = Variant(name, [], None, batch_size=8)
    variant.round_times = [None] + [ms / 1000 * (1 + rng.uniform(-noise, noise))
                                    for _ in range(rounds)]  # round 0: warm-up only
    variant.step_times = [t for t in variant.round_times if t is not None]
    variant.correct = list(correct)
    variant.accuracy = 100 * sum(correct) / len(correct)
    variant.status = status
    return variant


HELD_OUT = [True] * 450 + [False] * 50  # 90 % of 500 held-out examples


def _flip(correct, right_to_wrong, wrong_to_right):
    flipped = list(correct)
    for index in range(right_to_wrong):
        flipped[index] = False
    for index in range(wrong_to_right):
        flipped[450 + index] = True
    return flipped


@pytest.mark.parametrize("ms, noise, correct, verdict", [
    (8.0, 0.03, HELD_OUT, "confirmed"),                          # a real 20 % speed-up
    (10.0, 0.30, HELD_OUT, "inconclusive (speed)"),              # pure noise
    (12.0, 0.03, HELD_OUT, "refuted (speed)"),                   # a real slow-down
    (8.0, 0.03, _flip(HELD_OUT, 4, 2), "inconclusive (accuracy)"),  # −0.4 points on 500
    (8.0, 0.03, _flip(HELD_OUT, 150, 0), "refuted (accuracy)"),  # −30 points
])
def test_each_verdict_path(ms, noise, correct, verdict):
    original = _measured("original", 10.0, 0.03 if noise < 0.1 else noise, HELD_OUT, seed=1)
    variant = _measured("variant", ms, noise, correct, seed=2)
    assign_verdicts([original, variant], ProbeOptions(accuracy_tolerance=1.0,
                                                      speed_tolerance=0.05))
    assert original.verdict == "baseline"
    assert variant.verdict == verdict, variant.claims
    json.dumps(variant.to_dict())  # claims are plain data


def test_a_clear_speed_up_over_too_few_rounds_is_no_verdict():
    original = _measured("original", 10.0, 0.03, HELD_OUT, seed=1, rounds=3)
    variant = _measured("variant", 5.0, 0.03, HELD_OUT, seed=2, rounds=3)
    assign_verdicts([original, variant], ProbeOptions(round_steps=10))
    speed = variant.claims["speed"]
    assert speed["outcome"] == "inconclusive" and speed["too_few_rounds"]
    assert speed["steps_to_resolve"] == 50
    assert variant.verdict == "inconclusive (speed)"


def test_the_statistics_on_known_numbers():
    from cnnaudit.probing.stats import mcnemar_p, paired_accuracy

    # McNemar exact: 1 of 9 discordant pairs the other way → p = 2·(1+9)/2^9.
    assert mcnemar_p(1, 8) == pytest.approx(2 * 10 / 512)
    assert mcnemar_p(0, 0) == 1.0
    result = paired_accuracy(HELD_OUT, _flip(HELD_OUT, 4, 2))
    assert result["difference"] == pytest.approx(-0.4)
    assert result["discordant"] == [4, 2]
    # se = sqrt(6 − 4/500)/500: the interval is −0.4 ± 1.96·0.4895 points
    assert result["low"] == pytest.approx(-0.4 - 1.959964 * 100 * (6 - 4 / 500) ** 0.5 / 500)


def test_no_verdict_for_what_did_not_finish():
    original = _measured("original", 10.0, 0.03, HELD_OUT, seed=1)
    diverged = _measured("bad", 8.0, 0.03, HELD_OUT, seed=2, status="diverged")
    fine = _measured("fine", 8.0, 0.03, HELD_OUT, seed=3)
    assign_verdicts([original, diverged, fine], ProbeOptions())
    assert [diverged.verdict, fine.verdict] == ["not measured (diverged)", "confirmed"]
    assign_verdicts([original, diverged, fine], ProbeOptions(), interrupted=True)
    assert fine.verdict == "not measured (interrupted)" and fine.claims == {}


def test_a_diverging_variant_stops_and_the_others_go_on():
    class FakeTrainer:
        def step(self, variant, step):
            return 0.001, (math.nan if variant.name == "bad" and step == 3 else 1.0)

    variants = [_variant("original", 1, None), _variant("bad", 1, None)]
    for v in variants:
        v.step_times = []
    options = ProbeOptions(steps=10, warmup=0, round_steps=4, progress=False)
    train_interleaved(torch, FakeTrainer(), variants, options, None)
    assert variants[1].status == "diverged" and "step 3" in variants[1].note
    assert variants[0].status == "ok" and len(variants[0].step_times) == 10


def test_synthetic_data_for_other_input_sizes():
    # A small RGB net with one wide 3x3 conv (a bottleneck candidate), 4 classes:
    # what resnet18 exercised here, at a fraction of its training time.
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 64, 3, stride=2), torch.nn.ReLU(), torch.nn.Conv2d(64, 64, 3),
        torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(64, 4))
    result = cnnaudit.probe(model, (3, 32, 32), apply="CNA303", steps=3, warmup=1,
                            batch_size=8, progress=False)
    assert [v.name for v in result.variants] == ["original", "CNA303 2"]
    assert "synthetic" in result.data and "4 classes" in result.data
    assert all(v.status == "ok" for v in result.variants)


def test_npz_data_and_bad_data_specs(tmp_path):
    import numpy as np

    path = tmp_path / "digits.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.integers(0, 255, (200, 28, 28), dtype=np.uint8),
             y=rng.integers(0, 10, 200))
    result = cnnaudit.probe(CHEATSHEET, (1, 28, 28), apply="CNA202", data=f"npz:{path}",
                            **FAST)
    assert "200 samples" in result.data
    with pytest.raises(cnnaudit.CnnauditError, match="unknown --data"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data="imagenet", **FAST)
    with pytest.raises(cnnaudit.CnnauditError, match="never downloads"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"mnist:{tmp_path / 'none'}", **FAST)


@pytest.mark.slow  # two processes that each import torch and train: ~20 s (make test-slow)
def test_cli_probe_with_ddp_over_two_gloo_processes():
    result = CliRunner().invoke(main, [
        "probe", CHEATSHEET, "-i", "1,28,28", "--apply", "CNA302", "--steps", "6",
        "--warmup", "1", "--batch-size", "16", "--nproc", "2", "-q", "-f", "json",
    ], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    ddp = data["ddp"]
    assert ddp["nproc"] == 2 and ddp["backend"] == "gloo"
    assert [v["name"] for v in ddp["variants"]] == ["original", "CNA302 conv2"]
    assert all(v["step_time_ms"]["median"] > 0 and v["scaling"] > 0 for v in ddp["variants"])


def test_the_users_model_is_not_trained():
    model = load(CHEATSHEET, device="cpu").model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cnnaudit.probe(model, (1, 28, 28), apply="CNA202", **FAST)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_plot_draws_the_loss_curves(report, tmp_path):
    from cnnaudit.rendering.probe_table import plot_losses

    path = tmp_path / "losses.png"
    plot_losses(report, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_out_of_memory_in_training_stops_only_that_variant(monkeypatch):
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)

    class FakeTrainer:
        def step(self, variant, step):
            if variant.name == "big" and step == 2:
                raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return 0.001, 1.0

    variants = [_variant("original", 1, None), _variant("big", 1, None)]
    for v in variants:
        v.step_times = []
    train_interleaved(torch, FakeTrainer(), variants,
                       ProbeOptions(steps=6, warmup=0, progress=False), None)
    assert variants[1].status == "out of memory" and "Tried to allocate" in variants[1].note
    assert variants[0].status == "ok" and len(variants[0].step_times) == 6


def test_ctrl_c_keeps_what_was_measured(monkeypatch):
    from cnnaudit.probing import train

    real_step = train.Trainer.step
    calls = {"n": 0}

    def interrupting_step(self, variant, step):
        calls["n"] += 1
        if calls["n"] > 25:
            raise KeyboardInterrupt
        return real_step(self, variant, step)

    monkeypatch.setattr(train.Trainer, "step", interrupting_step)
    result = cnnaudit.probe(CHEATSHEET, (1, 28, 28), apply="CNA302", steps=50, warmup=2,
                            batch_size=16, progress=False)
    assert result.interrupted and any("interrupted" in w for w in result.warnings)
    assert [v.verdict for v in result.variants[1:]] == ["not measured (interrupted)"]
    measured = [len(v.step_times) for v in result.variants]
    assert 0 < sum(measured) < 2 * 50
    assert result.to_dict()["interrupted"] is True


def test_imagefolder_data(tmp_path):
    from PIL import Image

    from cnnaudit.training.data import load_data

    for label, shade in (("cats", 40), ("dogs", 200)):
        (tmp_path / label).mkdir()
        for i in range(10):
            image = Image.new("RGB", (20, 20), (shade, shade + i, shade))
            image.save(tmp_path / label / f"{i}.png")
    data = load_data(f"imagefolder:{tmp_path}", (3, 16, 16), num_classes=2, seed=0)
    assert data.num_classes == 2 and tuple(data.train_x.shape[1:]) == (3, 16, 16)
    assert len(data.train_x) + len(data.test_x) == 20
    assert set(data.train_y.tolist()) | set(data.test_y.tolist()) == {0, 1}


def test_data_with_more_classes_than_the_model_outputs(tmp_path):
    import numpy as np

    path = tmp_path / "twenty.npz"
    np.savez(path, x=np.zeros((40, 28, 28), dtype=np.uint8), y=np.arange(40) % 20)
    with pytest.raises(cnnaudit.CnnauditError, match="has 20 classes, the model outputs 10"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"npz:{path}", **FAST)


def test_probe_table_matches_its_golden_with_timing_fixed(report):
    """The table's layout and the counts of every variant are a reviewed diff of
    tests/golden/probe_table.txt; what a run measures (times, losses,
    accuracies, the machine) is replaced by fixed values first, since it
    varies between runs (regenerate deliberately with CNNAUDIT_REGEN_GOLDEN=1)."""
    import copy
    import os

    from cnnaudit.rendering import render_probe

    fixed = copy.copy(report)
    fixed.device_name, fixed.warnings = "CPU (test)", []
    fixed.variants = [copy.copy(v) for v in report.variants]
    for index, variant in enumerate(fixed.variants):
        variant.step_times = [0.010 - 0.001 * index, 0.011 - 0.001 * index]
        variant.round_times = [None] + [0.010 - 0.001 * index + 0.0001 * r for r in range(6)]
        variant.losses = [2.0, 1.0 + index / 10]
        variant.correct = _flip(HELD_OUT, 10 * index, 0)
        variant.accuracy = 100 * sum(variant.correct) / len(variant.correct)
        variant.peak_memory_bytes = None
    assign_verdicts(fixed.variants, ProbeOptions())
    text = render_probe(fixed, "table") + "\n"
    golden = ROOT / "tests" / "golden" / "probe_table.txt"
    if os.environ.get("CNNAUDIT_REGEN_GOLDEN") or not golden.exists():
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("labels, said", [
    (lambda n: np_arange(n) % 10 - 1, "labels must start at 0, found -1"),
    (lambda n: np_arange(n) % 10 + 0.5, "whole class numbers"),
    (lambda n: (np_arange(n) % 10).reshape(-1, 1), "1-D array"),
    (lambda n: np_arange(n - 1) % 10, "40 samples but 39 labels"),
    (lambda n: np_arange(n).astype(str), "labels must be class numbers"),
])
def test_bad_labels_are_refused_before_training(tmp_path, labels, said):
    import numpy as np

    path = tmp_path / "bad.npz"
    np.savez(path, x=np.zeros((40, 28, 28), dtype=np.uint8), y=labels(40))
    with pytest.raises(cnnaudit.CnnauditError, match=said):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"npz:{path}", **FAST)


def np_arange(n):
    import numpy as np

    return np.arange(n)


def test_data_and_setups_that_cannot_train(tmp_path):
    import numpy as np

    one = tmp_path / "one.npz"
    np.savez(one, x=np.zeros((1, 28, 28), dtype=np.uint8), y=np.zeros(1, dtype=int))
    with pytest.raises(cnnaudit.CnnauditError, match="1 sample"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"npz:{one}", **FAST)
    objects = tmp_path / "objects.npz"
    np.savez(objects, x=np.array([None] * 40, dtype=object), y=np.zeros(40, dtype=int))
    with pytest.raises(cnnaudit.CnnauditError, match="object arrays"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"npz:{objects}", **FAST)
    few = tmp_path / "few.npz"
    np.savez(few, x=np.zeros((20, 28, 28), dtype=np.uint8), y=np.arange(20) % 10)
    with pytest.raises(cnnaudit.CnnauditError, match="larger than the 18 training samples"):
        cnnaudit.probe(CHEATSHEET, (1, 28, 28), data=f"npz:{few}", **FAST)
    frozen = load(CHEATSHEET, device="cpu").model.requires_grad_(False)
    with pytest.raises(cnnaudit.CnnauditError, match="no trainable parameters"):
        cnnaudit.probe(frozen, (1, 28, 28), **FAST)
    for bad in ({"lr": float("nan")}, {"lr": -1}, {"device": "tpu"}):
        with pytest.raises(cnnaudit.CnnauditError):
            cnnaudit.probe(CHEATSHEET, (1, 28, 28), **{**FAST, **bad})


def test_one_class_data_warns_and_the_callers_random_state_is_kept(tmp_path):
    import numpy as np

    path = tmp_path / "ones.npz"
    np.savez(path, x=np.zeros((80, 28, 28), dtype=np.uint8), y=np.zeros(80, dtype=int))
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    result = cnnaudit.probe(CHEATSHEET, (1, 28, 28), apply="CNA202", data=f"npz:{path}",
                            **{**FAST, "steps": 2, "warmup": 0})
    assert torch.equal(torch.rand(3), expected)
    assert any("one class: accuracy means nothing" in w for w in result.warnings)


def test_plot_into_a_missing_folder_is_refused_before_training():
    result = CliRunner().invoke(main, ["probe", CHEATSHEET, "-i", "1,28,28", "--plot",
                                       "no/such/folder/losses.png", "-q"])
    assert result.exit_code == 2 and "no such folder" in result.output


def test_imagefolder_reads_grayscale_for_one_channel_and_names_a_corrupt_image(tmp_path):
    from PIL import Image

    from cnnaudit.training.data import load_data

    for label, shade in (("a", 30), ("b", 200)):
        (tmp_path / label).mkdir()
        for i in range(6):
            Image.new("RGB", (12, 12), (shade, 0, 255 - shade)).save(tmp_path / label / f"{i}.png")
    data = load_data(f"imagefolder:{tmp_path}", (1, 8, 8), num_classes=2, seed=0)
    assert tuple(data.train_x.shape[1:]) == (1, 8, 8)
    (tmp_path / "b" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(cnnaudit.CnnauditError, match="cannot read .*broken.png"):
        load_data(f"imagefolder:{tmp_path}", (1, 8, 8), num_classes=2, seed=0)


def test_same_seed_same_numbers_and_seeds_pool_the_paired_tests():
    settings = dict(FAST, apply="CNA202", max_suggestions=1)  # the original and one variant
    one = cnnaudit.probe(CHEATSHEET, (1, 28, 28), **settings)
    two = cnnaudit.probe(CHEATSHEET, (1, 28, 28), seeds=2, **settings)
    assert len(two.variants) == 2
    # Seed 0 runs first in both: same batches, same numbers (the loss curves
    # are the first run's).
    assert [v.losses for v in one.variants] == [v.losses for v in two.variants]
    # the bias rewrite changes nothing at the start: same data, same first loss
    assert one.variants[1].losses[0] == pytest.approx(one.variants[0].losses[0], rel=0.05)
    for single, pooled in zip(one.variants, two.variants):
        data = pooled.to_dict()
        assert len(data["accuracy_by_seed"]) == 2
        assert data["accuracy_by_seed"][0] == single.accuracy  # seed 0 is the first run
        assert data["accuracy"] == pytest.approx(sum(data["accuracy_by_seed"]) / 2)
        assert data["accuracy_spread"] is not None
        assert len(pooled.correct) == 2 * len(single.correct)
        assert len(pooled.round_times) == 2 * len(single.round_times)
    claim = two.variants[1].claims["accuracy"]
    assert claim["examples"] == 2 * one.variants[1].claims["accuracy"]["examples"]
    assert any("2 runs with seeds 0…1" in note for note in two.notes)
    row = cnnaudit.render(two).splitlines()[4]  # the original: accuracy as mean ± spread
    assert f"{two.variants[0].accuracy:.1f} ± " in row


def test_a_variant_failing_under_any_seed_gets_no_verdict():
    from cnnaudit.probing.run import merge_seeds

    first = [_measured("original", 10, 0.01, [True] * 50, 1),
             _measured("CNA202 conv1", 8, 0.01, [True] * 50, 2)]
    second = [_measured("original", 10, 0.01, [True] * 50, 3),
              _measured("CNA202 conv1", 8, 0.01, [True] * 50, 4, status="diverged")]
    second[1].note = "loss became nan at step 3"
    merge_seeds(first, [second])
    assert first[1].status == "diverged" and "nan" in first[1].note
    assign_verdicts(first, ProbeOptions())
    assert first[1].verdict == "not measured (diverged)"


def test_out_of_memory_while_measuring_halves_the_batch_retries_and_says_so(monkeypatch):
    """The back-off gpu_check exercises on a card, here with the allocator's
    error raised for any batch over 8."""
    from cnnaudit.probing import train

    real_step = train.Trainer.step

    def small_memory_step(self, variant, step):
        if variant.batch_size > 8:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 9.00 GiB")
        return real_step(self, variant, step)

    monkeypatch.setattr(train.Trainer, "step", small_memory_step)
    result = cnnaudit.probe(CHEATSHEET, (1, 28, 28), apply="CNA304", steps=4, warmup=1,
                            batch_size=32, progress=False)
    original = result.variants[0]
    assert original.batch_size == 8 and original.status == "ok"
    assert original.note == "out of memory: batch reduced to 8"
    assert len(original.step_times) == 4
    assert "batch reduced to 8" in cnnaudit.render(result)


def test_the_first_step_is_timed_apart_from_the_steps(report):
    """--compile's compilation lands in the first (warm-up) step: its wall
    time is reported on its own, the step time leaves it out."""
    for variant in report.to_dict()["variants"]:
        assert variant["first_step_ms"] > 0


def test_the_probe_imports_neither_fvcore_nor_libcst():
    """The GPU machine has neither (docs/benchmarks.md, "On a GPU"): the probe's
    path must not need them."""
    import subprocess
    import sys

    code = ("import sys, cnnaudit; cnnaudit.probe(sys.argv[1], (1, 28, 28), apply='CNA304', "
            "steps=2, warmup=0, batch_size=8, progress=False); "
            "print(sorted(m for m in ('fvcore', 'libcst') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, CHEATSHEET], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_compile_trains_the_compiled_module(monkeypatch):
    """--compile's module refuses truth-testing (len()): the step once picked
    it with ``runner or model`` and failed on every card (found by
    benchmarks/gpu_check.py's CPU dry run). Dynamo's eager backend keeps the
    test fast; inductor is gpu_check's."""
    calls = []
    real = torch.compile

    def eager_compile(model, **kwargs):
        calls.append(model)
        return real(model, backend="eager", **kwargs)

    monkeypatch.setattr(torch, "compile", eager_compile)
    torch._dynamo.reset()
    result = cnnaudit.probe(CHEATSHEET, (1, 28, 28), apply="CNA304", steps=3, warmup=1,
                            batch_size=16, compile=True, progress=False)
    assert calls and result.variants[0].status == "ok"
    assert len(result.variants[0].step_times) == 3
    assert isinstance(result.variants[0].runner, torch._dynamo.eval_frame.OptimizedModule)


BATCH_NORM_HEAD = '''import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.fc1 = nn.Linear(8 * 26 * 26, 32)
        self.bn1 = nn.BatchNorm1d(32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc2(F.relu(self.bn1(self.fc1(x.flatten(1)))))
'''


def _cli_probe(*args):
    # the given options last: click keeps an option's last value
    return CliRunner().invoke(main, ["probe", args[0], "--input-size", "1,28,28", "--quiet",
                                     "--steps", "3", "--warmup", "0", "--apply", "CNA304",
                                     *args[1:]])


def test_batch_one_on_a_batchnorm_is_one_line_at_the_layer(tmp_path):
    """Issue 22: torch's ValueError mid-step became an internal error. A
    BatchNorm2d over 26×26 positions trains at batch 1; the BatchNorm1d
    after the Linear cannot."""
    model = tmp_path / "bn_head.py"
    model.write_text(BATCH_NORM_HEAD)
    result = _cli_probe(f"{model}:Net", "--batch-size", "1")
    assert result.exit_code == 2 and "internal error" not in result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(f"{model}:11: bn1 (BatchNorm1d) sees 1 value per channel")
    assert "--batch-size 2" in line
    assert _cli_probe(f"{model}:Net", "--batch-size", "2").exit_code == 0


def test_malformed_data_files_are_named_for_what_they_are(tmp_path):
    import numpy as np

    text = tmp_path / "notes.npz"
    text.write_text("not an archive")
    scalar = tmp_path / "scalar.npz"
    np.savez(scalar, x=np.float32(3), y=np.int64(1))
    for data, said in ((f"npz:{text}", "not an .npz archive"),
                       (f"npz:{scalar}", "x has shape []; expected one sample per row"),
                       ("mnist5k:extra", "mnist5k takes no path")):
        result = _cli_probe(CHEATSHEET, "--data", data)
        assert result.exit_code == 2 and said in result.output, result.output


@pytest.mark.parametrize("x, said", [
    ("empty", "0 samples; the probe needs some"),
    ("nan", "64 of 64 samples hold NaN or infinite values"),
    ("one inf", "1 of 64 samples hold NaN or infinite values"),
])
def test_empty_and_non_finite_data_is_one_line(x, said, tmp_path):
    import numpy as np

    images = {"empty": np.zeros((0, 1, 28, 28), np.float32),
              "nan": np.full((64, 1, 28, 28), np.nan, np.float32),
              "one inf": np.random.default_rng(0).random((64, 1, 28, 28), np.float32)}[x]
    if x == "one inf":
        images[5, 0, 3, 3] = np.inf
    path = tmp_path / "data.npz"
    np.savez(path, x=images, y=np.arange(len(images)) % 10)
    result = _cli_probe(CHEATSHEET, "--data", f"npz:{path}", "--batch-size", "8")
    assert result.exit_code == 2 and "internal error" not in result.output
    assert result.output.strip().splitlines() == [f"cnnaudit: error: --data npz:{path}: "
                                                  + result.output.split(": ", 3)[-1].strip()]
    assert said in result.output


def test_a_probe_whose_original_diverged_is_inconclusive_not_a_pass(tmp_path):
    """Issue 22: every variant diverged, the original was called "baseline"
    and the probe exited 0. Logits scaled past float32's range: the loss is
    NaN from the first step."""
    model = tmp_path / "overflow.py"
    model.write_text(BATCH_NORM_HEAD.replace(
        "return self.fc2(F.relu(self.bn1(self.fc1(x.flatten(1)))))",
        "return self.fc2(F.relu(self.bn1(self.fc1(x.flatten(1))))) * 1e39"))
    result = _cli_probe(f"{model}:Net", "--batch-size", "16")
    assert result.exit_code == 2
    assert "cnnaudit: inconclusive: the original could not be measured (diverged: loss " \
           "became nan at step" in result.output


def test_the_batch_order_is_drawn_as_steps_reach_it():
    """--steps 10**9 allocated every step's indices up front (64 × 10⁹ of
    them: the probe hung, then died); the order is now drawn one pass at a
    time, and is the sequence the up-front draw gave."""
    from cnnaudit.probing.train import Trainer
    from cnnaudit.training.data import load_data

    data = load_data("synthetic", (1, 8, 8), 10, seed=0)
    options = ProbeOptions(steps=10**9, warmup=0, batch_size=64, seed=3, progress=False)
    trainer = Trainer(torch, data, options, torch.device("cpu"))
    assert trainer.epochs == []
    n = len(data.train_x)
    generator = torch.Generator().manual_seed(3)
    eager = torch.cat([torch.randperm(n, generator=generator) for _ in range(4)])
    assert n == 3687  # so step 57 (samples 3648–3711) spans the end of the first pass
    for step in (0, 1, 57, 58, 100):
        x, y = trainer.batch(step, 64)
        assert torch.equal(y, data.train_y[eager[step * 64:(step + 1) * 64]])
    assert len(trainer.epochs) == math.ceil(101 * 64 / n)  # only the passes reached


def test_pooling_refuted_on_accuracy_names_shrink(report):
    """The cheatsheet's case: CNA301 alone loses accuracy (here 20 points),
    and the table says how to compose the fix, with a budget and the SPEC as
    the user would type it."""
    import copy

    from cnnaudit.rendering import render_probe

    fixed = copy.copy(report)
    fixed.variants = [copy.copy(v) for v in report.variants]
    for variant in fixed.variants:
        loses = 100 if variant.applied == ["CNA301"] else 0
        variant.correct = _flip(HELD_OUT, loses, 0)
    assign_verdicts(fixed.variants, ProbeOptions())
    text = render_probe(fixed, "table")
    assert "note: CNA301 fc1 loses 20.0 points: pooling alone forgets the layout" in text
    assert "`cnnaudit shrink examples/cheatsheet_net.py:Net --max-params 10000`" in text
    assert text.count("cnnaudit shrink") == 1  # only for the pooling refuted on accuracy
