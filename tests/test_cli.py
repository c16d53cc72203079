"""`python -m mnist_core`: sub-commands, --json output parsed and checked, bad input refused."""

import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from mnist_core.config import TrainConfig
from mnist_core.data import PROJECT_DIR
from mnist_core.reservations import reservation_path

# the CLI's main() in a fresh Python, then its exit code and whether TensorFlow was loaded
PROBE = (
    "import sys; from mnist_core.cli import main; code = main(sys.argv[1:]); "
    "print(code, 'tensorflow' in sys.modules)"
)


def probed(*args) -> subprocess.CompletedProcess:
    """PROBE run with `args`: its stdout is "CODE True|False" (TensorFlow loaded or not)."""
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=PROJECT_DIR
    )


def cli(*args, check=True, env=None):
    done = subprocess.run(
        [sys.executable, "-m", "mnist_core", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=600,
        env=None if env is None else {**os.environ, **env},
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def json_lines(done):
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_help_lists_the_sub_commands():
    out = cli("--help").stdout
    for command in ("train", "evaluate", "predict", "explain", "list"):
        assert command in out
    assert "-v, --verbose" in out and "MNIST_VERBOSE" in out


def test_train_help_shows_defaults_and_augments_like_the_page():
    out = " ".join(cli("train", "--help").stdout.split())  # argparse wraps lines
    for default in ("(default: 5)", "(default: 32)", "(default: 0.001)", "(default: 55000)"):
        assert default in out
    assert "Train page does for cnn) (default: off for dense, on for cnn)" in out
    assert (
        "--arch dense (the default) starts from the tutorial's run: 5 epochs, batches of 32, "
        "Adam at 0.001, no augmentation" in out
    )


@pytest.mark.parametrize(
    "args, augment, batch_size",
    [
        ([], False, 32),
        (["--arch", "dense"], False, 32),
        (["--arch", "dense", "--augment"], True, 32),
        (["--arch", "dense", "--batch-size", "64"], False, 64),
        (["--arch", "cnn"], True, 32),
        (["--arch", "cnn", "--no-augment"], False, 32),
    ],
)
def test_dense_defaults_to_the_tutorials_run_and_given_options_win(args, augment, batch_size):
    from mnist_core.cli import config_from_args, parser

    config = config_from_args(parser().parse_args(["train", *args]))
    assert config.augment is augment and config.batch_size == batch_size
    assert (config.epochs, config.learning_rate, config.train_size) == (5, 0.001, 55000)
    if "cnn" not in args:  # the tutorial's network, as the tutorial trained it
        assert config.arch == "dense" and config == replace(
            TrainConfig(), augment=augment, batch_size=batch_size
        )


def test_predict_answers_readable_files_names_the_rest_and_keeps_stderr_quiet(tmp_path, pen_sample):
    images, _ = pen_sample
    good = [tmp_path / "first.png", tmp_path / "last.png"]
    for k, path in enumerate(good):
        Image.fromarray(images[k]).save(path)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    files = [good[0], bad, tmp_path / "missing.png", good[1]]
    done = cli("predict", "default", *map(str, files), "--json", check=False)
    assert done.returncode == 2
    assert [r["file"] for r in json_lines(done)] == list(map(str, good))
    # the two files named, and nothing else: no TensorFlow start-up lines
    assert done.stderr.splitlines() == [
        f"error: {bad}: not a readable image (cannot identify image file '{bad}')",
        f"error: {tmp_path / 'missing.png'}: no such file",
    ]
    # TensorFlow's own lines, asked for (the suite's TF_CPP_MIN_LOG_LEVEL=2, from conftest,
    # would hide its start-up lines on most machines: the test asks for all of them)
    loud = {"TF_CPP_MIN_LOG_LEVEL": "0"}
    verbose = cli("predict", "default", str(good[0]), env={**loud, "MNIST_VERBOSE": "1"})
    assert verbose.stderr.strip()
    assert cli("-v", "predict", "default", str(good[0]), env=loud).stderr.strip()


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


def test_explain_json_gives_evidence_deletion_and_neighbours(tmp_path, pen_sample, mnist):
    images, labels = pen_sample
    files = []
    for k in range(3):
        files.append(tmp_path / f"digit{k}.png")
        Image.fromarray(images[k]).save(files[-1])
    files.append(tmp_path / "empty.png")
    Image.new("RGB", (280, 280), "black").save(files[-1])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    done = cli(
        "explain", "default", *map(str, [*files[:2], bad, *files[2:]]), "--json", check=False
    )
    assert done.returncode == 2 and done.stderr.splitlines() == [
        f"error: {bad}: not a readable image (cannot identify image file '{bad}')"
    ]
    results = json_lines(done)
    assert [r["file"] for r in results] == list(map(str, files))
    predicted = json_lines(cli("predict", "default", *map(str, files[:3]), "--json"))
    for r, answer, label in zip(results, predicted, labels):
        assert set(r) == {"file", "digit", "runner_up", "evidence", "deletion", "neighbours"}
        assert r["digit"] == answer["digit"] == label and r["runner_up"] != r["digit"]
        evidence = np.array(r["evidence"])
        assert evidence.shape == (28, 28) and evidence.max() > 0
        assert set(r["deletion"]) == {"answer", "after_top_10", "after_random_10"}
        assert r["deletion"]["answer"] == pytest.approx(answer["confidence"], abs=1e-5)
        assert r["deletion"]["after_top_10"] < r["deletion"]["answer"]
        assert [set(n) for n in r["neighbours"]] == [{"index", "label"}] * 8
        indices = [n["index"] for n in r["neighbours"]]
        assert [n["label"] for n in r["neighbours"]] == mnist[1][indices].tolist()
        assert sum(n["label"] == label for n in r["neighbours"]) >= 4
    assert results[-1] == {"file": str(files[-1]), **dict.fromkeys(results[0].keys() - {"file"})}


def test_evaluate_json_gives_test_accuracy_of_the_bundled_model():
    [result] = json_lines(cli("evaluate", "default", "--json"))
    assert result["model"] == "default" and result["accuracy"] >= 0.993 and result["loss"] < 0.1


def test_train_json_saves_a_model_that_then_lists_and_evaluates(tmp_path):
    models = str(tmp_path)
    train = f"--models-dir {models} train --arch dense --epochs 1 --size 3000 --no-augment"
    train += " --name tiny"
    [trained] = json_lines(cli(*train.split(), "--json"))
    assert trained["model"] == "tiny" and trained["accuracy"] > 0.8 and trained["epochs"] == 1
    # every batch of the finished run: 3,000 images at the tutorial's 32 a batch
    assert trained["batches"] == trained["steps_per_epoch"] == 94
    [listed] = json_lines(cli("--models-dir", models, "list", "--json"))
    assert listed["model"] == "tiny" and listed["usable"] and listed["arch"] == "dense"
    assert listed["mistake"] is None
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
        (["train", "--name", ""], "model name is empty"),
        (["train", "--name", "  "], "model name is empty"),
        (["evaluate", "no-such-model"], "no saved model"),
        (["predict", "default", "missing.png"], "no such file"),
        (["explain", "default", "missing.png"], "no such file"),
        (["explain", "no-such-model", "missing.png"], "no saved model"),
    ],
)
def test_bad_input_exits_non_zero_with_a_reason(args, reason):
    before = sorted(PROJECT_DIR.rglob("*.keras"))
    done = cli(*args, check=False)
    assert done.returncode != 0 and reason in done.stderr and done.stdout == ""
    assert sorted(PROJECT_DIR.rglob("*.keras")) == before  # nothing written anywhere


@pytest.mark.alone
@pytest.mark.parametrize(
    "args",
    [
        ["train", "--name", ""],
        ["train", "--name", "../escape"],
        ["train", "--size", "99999999"],
        ["train", "--name", "default"],
        ["evaluate", "no-such-model"],
        ["predict", "default", "missing.png"],
    ],
)
def test_bad_input_fails_before_tensorflow_loads(args):
    start = time.perf_counter()
    done = probed(*args)
    seconds = time.perf_counter() - start
    assert done.stdout.split() == ["2", "False"], done.stderr
    assert seconds < 1.0, f"{args} took {seconds:.2f} s to fail"


def test_train_holds_its_name_while_it_runs_and_is_refused_a_held_one(tmp_path):
    # another replica's live reservation of the name: refused before TensorFlow loads
    held = reservation_path("digits", tmp_path)
    held.write_text(
        json.dumps(dict(name="digits", replica="web-2", host="0123abcd", pid=7, started=1.0))
    )
    done = probed("--models-dir", str(tmp_path), "train", "--name", "digits", "--epochs", "1")
    assert done.stdout.split() == ["2", "False"], done.stderr
    assert "`digits` on replica web-2 (pid 7)" in done.stderr and "is training" in done.stderr
    assert not (tmp_path / "digits.keras").exists()
    # another name counts as a training at once across the replicas (one, by default)
    train = ["--models-dir", str(tmp_path), "train", "--name", "tiny", "--json"]
    train += ["--arch", "dense", "--epochs", "1", "--size", "2000"]
    done = cli(*train, check=False)
    assert done.returncode == 2 and "1 training at once" in done.stderr and not done.stdout
    # once it ends, a training of its own: its reservation is there while it runs
    held.unlink()
    running = subprocess.Popen(
        [sys.executable, "-m", "mnist_core", *train], stdout=subprocess.PIPE, cwd=PROJECT_DIR
    )
    mine = reservation_path("tiny", tmp_path)
    deadline = time.monotonic() + 60
    while not mine.exists() and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(mine.read_text())["pid"] == running.pid
    out, _ = running.communicate(timeout=300)
    assert running.returncode == 0 and json.loads(out)["model"] == "tiny"
    assert not mine.exists() and not any(tmp_path.glob(".*.reserved"))


def test_unreadable_image_is_refused(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    done = cli("predict", "default", str(bad), "--json", check=False)
    assert done.returncode != 0 and "not a readable image" in done.stderr


def test_a_misspelt_model_name_gets_a_suggestion():
    done = cli("evaluate", "defualt", check=False)
    assert done.returncode == 2 and "did you mean 'default'?" in done.stderr


@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_list_json_into_a_reader_that_stops_early_ends_quietly(reader):
    # `true` reads nothing and is gone before Python starts: every write meets a closed pipe
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{sys.executable} -m mnist_core list --json | {reader}; "
            "echo status ${PIPESTATUS[0]}",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=60,
    )
    assert done.stdout.splitlines()[-1] == "status 0"
    if reader == "head -1":
        assert json.loads(done.stdout.splitlines()[0])["model"]  # the one line it took
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_predict_number_json_reads_numbers_of_any_size_and_blank_images(tmp_path):
    from mnist_core.pendigits import PenDigits
    from testkit.number_canvas import compose, writers_digits

    digits = PenDigits()
    writers = writers_digits(digits)
    rng = np.random.default_rng(7)
    numbers = [compose(digits, rng, length, writers) for length in (2, 4, 6)]
    files = []
    for k, number in enumerate(numbers):
        files.append(tmp_path / f"number{k}.png")
        Image.fromarray(number.image).save(files[-1])
    small = tmp_path / "small.jpg"  # another size, dark on light, no alpha
    Image.fromarray(255 - numbers[1].image[..., 0]).resize((420, 140)).save(small)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (840, 280), "black").save(blank)
    specks = tmp_path / "specks.png"
    speckled = Image.new("L", (840, 280))
    for x in range(20, 840, 40):
        speckled.paste(255, (x, 140, x + 8, 148))
    speckled.save(specks)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    done = cli(
        "predict",
        "default",
        *map(str, [*files, small, bad, blank, specks]),
        "--number",
        "--json",
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith(f"error: {bad}: not a readable")
    results = json_lines(done)
    assert [r["file"] for r in results] == list(map(str, [*files, small, blank, specks]))
    for r in results:
        assert set(r) == {"file", "number", "digits"}
        assert r["number"] == "".join(str(d["digit"]) for d in r["digits"])
        for d in r["digits"]:
            assert set(d) == {"digit", "confidence", "box"} and 0 <= d["confidence"] <= 1
            x0, y0, x1, y1 = d["box"]
            assert 0 <= x0 < x1 and 0 <= y0 < y1
    right = sum(r["number"] == n.text for r, n in zip(results, numbers))
    assert right >= 2, [(r["number"], n.text) for r, n in zip(results, numbers)]
    assert len(results[3]["digits"]) == 4  # the 4-digit number at half the size
    assert all(d["box"][2] <= 420 and d["box"][3] <= 140 for d in results[3]["digits"])
    assert results[4] == {"file": str(blank), "number": "", "digits": []}
    assert results[5] == {"file": str(specks), "number": "", "digits": []}
    # the same image, read as a single digit, answers as before
    [single] = json_lines(cli("predict", "default", str(files[0]), "--json"))
    assert set(single) == {"file", "digit", "confidence", "probabilities"}
    text = cli("predict", "default", str(files[2]), str(blank), "--number").stdout.splitlines()
    assert text[0].startswith(f"{files[2]}: ") and "%" in text[0]
    assert text[1] == f"{blank}: nothing drawn"
