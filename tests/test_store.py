"""Model store: names, atomic saves, listing that survives bad files, safe loading."""

import json
import os
import signal
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from mnist_core.atomic import HOST_ID, remove_stale_temporaries
from mnist_core.data import PROJECT_DIR
from mnist_core.store import (
    ModelError,
    ModelMetadata,
    list_models,
    resolve,
    save_model,
    validate_name,
)
from mnist_core.tf.models import build_model
from mnist_core.tf.predict import load_model


@pytest.fixture(scope="module")
def small_model():
    return build_model("dense", seed=1)


@pytest.mark.parametrize(
    "name",
    ["", " ", "a/b", "../evil", "..", "a..b", ".hidden", "x" * 65, "nul\x00byte", "ünï", "/abs"],
)
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError):
        validate_name(name)


@pytest.mark.parametrize("name", ["default", "cnn-2026.1", "my_model", "A1"])
def test_good_names_pass(name):
    assert validate_name(name) == name


def test_save_list_load_roundtrip(tmp_path, small_model):
    save_model(small_model, "m1", ModelMetadata(arch="dense", test_accuracy=0.5), tmp_path)
    [info] = list_models(tmp_path)
    assert info.usable and info.name == "m1" and info.metadata.arch == "dense"
    x = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(load_model(info.path)(x), small_model(x), atol=1e-6)
    assert resolve("m1", tmp_path) == info.path
    with pytest.raises(ValueError, match="already exists"):
        save_model(small_model, "m1", ModelMetadata(), tmp_path)


def test_bad_files_are_listed_as_unusable_and_the_rest_still_listed(tmp_path, small_model):
    save_model(small_model, "good", ModelMetadata(arch="dense"), tmp_path)
    good = (tmp_path / "good.keras").read_bytes()
    (tmp_path / "truncated.keras").write_bytes(good[: len(good) // 2])
    (tmp_path / "text.keras").write_text("hello, I am not a model")
    foreign = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    foreign.save(tmp_path / "foreign.keras")
    infos = {i.name: i for i in list_models(tmp_path)}
    assert infos["good"].usable
    assert "corrupt" in infos["truncated"].error
    assert "corrupt" in infos["text"].error
    assert "32, 32, 3" in infos["foreign"].error
    for bad in ("truncated", "text", "foreign"):
        with pytest.raises(ModelError):
            load_model(infos[bad].path)


def test_unknown_model_reference_is_an_error(tmp_path):
    with pytest.raises(ModelError, match="no saved model"):
        resolve("missing", tmp_path)
    with pytest.raises(ModelError):
        resolve("../../etc/passwd", tmp_path)


# A child process saves a "model" whose save() writes half a file and then SIGKILLs itself.
DIE_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
from mnist_core.store import ModelMetadata, save_model

class DiesWhileSaving:
    def save(self, path):
        with open(path, "wb") as f:
            f.write(b"PK half a model")
            f.flush()
        os.kill(os.getpid(), signal.SIGKILL)

metadata = ModelMetadata(arch="broken")
save_model(DiesWhileSaving(), "m", metadata, Path(sys.argv[1]), overwrite=True)
"""


def test_a_save_killed_midway_leaves_the_previous_model(tmp_path, small_model):
    save_model(small_model, "m", ModelMetadata(arch="dense"), tmp_path)
    before = (tmp_path / "m.keras").read_bytes()
    child = subprocess.run(
        [sys.executable, "-c", DIE_WHILE_SAVING, str(tmp_path)], cwd=PROJECT_DIR, timeout=120
    )
    assert child.returncode == -signal.SIGKILL
    assert (tmp_path / "m.keras").read_bytes() == before
    assert json.loads((tmp_path / "m.json").read_text())["arch"] == "dense"
    [info] = list_models(tmp_path)  # the half-written temporary is not listed
    assert info.name == "m" and info.usable
    load_model(info.path)
    assert zipfile.is_zipfile(info.path)
    [leftover] = tmp_path.glob(".m.*.tmp.keras")
    in_progress = tmp_path / f".m.{HOST_ID}-{os.getpid()}.abc_123.tmp.keras"  # a live writer's
    in_progress.write_bytes(b"PK")
    assert remove_stale_temporaries(tmp_path) == [leftover]
    assert in_progress.exists() and not leftover.exists()
