"""load_mnist: the bundled file loads; bad files give errors that name the file."""

import numpy as np
import pytest

from mnist_core.data import BUNDLED_MNIST, DataError, load_mnist


def test_bundled_mnist_has_the_expected_arrays(mnist):
    x_train, y_train, x_test, y_test = mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_test)) == set(range(10))


def test_environment_variable_points_elsewhere(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.npz"
    monkeypatch.setenv("MNIST_NPZ", str(missing))
    with pytest.raises(DataError, match="nowhere.npz"):
        load_mnist()


def test_corrupt_file_is_named(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(DataError, match="mnist.npz.*not a readable"):
        load_mnist(bad)


def test_truncated_copy_is_reported_with_how_to_restore_it(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(BUNDLED_MNIST.read_bytes()[:5_000_000])
    with pytest.raises(DataError, match="mnist.npz: not a readable.*git checkout -- data/mnist"):
        load_mnist(bad)


def _save(path, **overrides):
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "override, message",
    [
        ({"x_test": np.zeros((10000, 32, 32), np.uint8)}, "x_test has shape"),
        ({"y_train": np.zeros(60000, np.int64)}, "y_train has dtype"),
        ({"y_test": np.full(10000, 10, np.uint8)}, "y_test has label 10"),
        ({"x_train": None}, "missing arrays x_train"),
    ],
)
def test_wrong_contents_are_reported(tmp_path, override, message):
    with pytest.raises(DataError, match=message):
        load_mnist(_save(tmp_path / "m.npz", **override))
