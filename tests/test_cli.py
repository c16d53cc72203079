"""`python -m mnist_core`: sub-commands, --json output parsed and checked, bad input refused."""

import json
import subprocess
import sys

import pytest
from PIL import Image

from mnist_core.data import PROJECT_DIR


def cli(*args, check=True):
    done = subprocess.run(
        [sys.executable, "-m", "mnist_core", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def json_lines(done):
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_help_lists_the_sub_commands():
    out = cli("--help").stdout
    for command in ("train", "evaluate", "predict", "list"):
        assert command in out


def test_predict_json_reads_drawn_digits_and_empty_images(tmp_path, pen_sample):
    images, labels = pen_sample
    files = []
    for k in range(5):
        files.append(tmp_path / f"digit{k}.png")
        Image.fromarray(images[k]).save(files[-1])
    files.append(tmp_path / "empty.jpg")
    Image.new("RGB", (280, 280), "white").save(files[-1])
    results = json_lines(cli("predict", "default", *map(str, files), "--json"))
    assert [r["file"] for r in results] == list(map(str, files))
    for r in results[:-1]:
        assert 0 <= r["digit"] <= 9 and len(r["probabilities"]) == 10
        assert abs(sum(r["probabilities"]) - 1) < 1e-3 and r["confidence"] == max(
            r["probabilities"]
        )
    assert sum(r["digit"] == y for r, y in zip(results, labels)) >= 4
    assert results[-1]["digit"] is None


def test_evaluate_json_gives_test_accuracy_of_the_bundled_model():
    [result] = json_lines(cli("evaluate", "default", "--json"))
    assert result["model"] == "default" and result["accuracy"] >= 0.993 and result["loss"] < 0.1


def test_train_json_saves_a_model_that_then_lists_and_evaluates(tmp_path):
    models = str(tmp_path)
    train = f"--models-dir {models} train --arch dense --epochs 1 --size 3000 --batch-size 32"
    train += " --name tiny"
    [trained] = json_lines(cli(*train.split(), "--json"))
    assert trained["model"] == "tiny" and trained["accuracy"] > 0.8 and trained["epochs"] == 1
    [listed] = json_lines(cli("--models-dir", models, "list", "--json"))
    assert listed["model"] == "tiny" and listed["usable"] and listed["arch"] == "dense"
    [evaluated] = json_lines(cli("--models-dir", models, "evaluate", "tiny", "--json"))
    assert evaluated["accuracy"] == pytest.approx(trained["accuracy"])
    again = cli(*train.split(), check=False)
    assert again.returncode != 0 and "already exists" in again.stderr


@pytest.mark.parametrize(
    "args, reason",
    [
        (["train", "--epochs", "0"], "at least 1"),
        (["train", "--epochs", "-1"], "at least 1"),
        (["train", "--epochs", "many"], "not a whole number"),
        (["train", "--epochs", "1000000000"], "epochs must be 1-1000"),
        (["train", "--epochs", "2.5"], "not a whole number"),
        (["train", "--batch-size", "0"], "at least 1"),
        (["train", "--learning-rate", "nan"], "positive number"),
        (["train", "--size", "99999999"], "training-set size"),
        (["train", "--name", "../escape", "--epochs", "1"], "model name"),
        (["train", "--name", "a/b", "--epochs", "1"], "model name"),
        (["train", "--name", "x" * 500, "--epochs", "1"], "longer than 64"),
        (["train", "--name", "modèle", "--epochs", "1"], "model name"),
        (["evaluate", "no-such-model"], "no saved model"),
        (["predict", "default", "missing.png"], "no such file"),
    ],
)
def test_bad_input_exits_non_zero_with_a_reason(args, reason):
    before = sorted(PROJECT_DIR.rglob("*.keras"))
    done = cli(*args, check=False)
    assert done.returncode != 0 and reason in done.stderr and done.stdout == ""
    assert sorted(PROJECT_DIR.rglob("*.keras")) == before  # nothing written anywhere


def test_unreadable_image_is_refused(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    done = cli("predict", "default", str(bad), "--json", check=False)
    assert done.returncode != 0 and "not a readable image" in done.stderr
