"""The user's drawings store: appends, counts, delete, bad labels, corrupt and killed writes."""

import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from mnist_core.atomic import remove_stale_temporaries
from mnist_core.data import PROJECT_DIR
from mnist_core.drawings import delete_drawing, load_drawings, read_canvas, save_drawing


def digit(value: float = 0.5) -> np.ndarray:
    d = np.zeros((28, 28), np.float32)
    d[8:20, 12:16] = value
    return d


def test_saved_drawings_come_back_with_counts_canvas_and_order(tmp_path):
    canvas = np.full((280, 280, 4), 255, np.uint8)
    first = save_drawing(digit(0.25), 3, canvas, tmp_path)
    save_drawing(digit(0.5), 7, None, tmp_path)
    save_drawing(digit(1.0), 3, None, tmp_path)
    found = load_drawings(tmp_path)
    assert found.labels.tolist() == [3, 7, 3] and found.problems == []
    assert found.counts().tolist() == [0, 0, 0, 2, 0, 0, 0, 1, 0, 0]
    np.testing.assert_array_equal(found.digits[0], digit(0.25))
    np.testing.assert_array_equal(read_canvas(first, tmp_path), canvas)
    delete_drawing(first, tmp_path)
    assert load_drawings(tmp_path).labels.tolist() == [7, 3]


def test_a_missing_folder_is_an_empty_set(tmp_path):
    found = load_drawings(tmp_path / "none")
    assert len(found) == 0 and found.digits.shape == (0, 28, 28)


@pytest.mark.parametrize("label", [-1, 10, 3.0, "7", True, None, np.float32(2)])
def test_bad_labels_are_refused_and_nothing_is_written(tmp_path, label):
    with pytest.raises(ValueError, match="label"):
        save_drawing(digit(), label, None, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "bad", [np.zeros((27, 28)), np.full((28, 28), np.nan), np.full((28, 28), 2.0), np.array("x")]
)
def test_bad_inputs_are_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        save_drawing(bad, 1, None, tmp_path)


@pytest.mark.parametrize(
    "drawing_id", ["../models/default", "3-x", "", "3-20260101T000000000000-zz"]
)
def test_delete_refuses_what_is_not_a_drawing_id(tmp_path, drawing_id):
    with pytest.raises(ValueError, match="not a drawing id"):
        delete_drawing(drawing_id, tmp_path)


def test_a_corrupt_file_is_reported_and_the_others_still_load(tmp_path):
    keep = save_drawing(digit(), 4, None, tmp_path)
    broken = save_drawing(digit(), 5, None, tmp_path)
    path = tmp_path / f"{broken}.npz"
    path.write_bytes(path.read_bytes()[:40])
    relabelled = save_drawing(digit(), 6, None, tmp_path)
    (tmp_path / f"{relabelled}.npz").rename(tmp_path / f"2{relabelled[1:]}.npz")
    (tmp_path / "notes.npz").write_text("not a drawing")
    found = load_drawings(tmp_path)
    assert found.ids == [keep]
    assert len(found.problems) == 3
    assert any(broken in p and "unreadable" in p for p in found.problems)
    assert any("does not match" in p for p in found.problems)


def test_concurrent_appends_lose_nothing(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda k: save_drawing(digit(), k % 10, None, tmp_path), range(80)))
    found = load_drawings(tmp_path)
    assert sorted(found.ids) == sorted(ids) and found.counts().tolist() == [8] * 10


# A child process appends one drawing, then dies by SIGKILL halfway through a second.
DIE_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
import numpy as np
from mnist_core import drawings

folder = Path(sys.argv[1])
drawings.save_drawing(np.zeros((28, 28)), 1, None, folder)

def half_then_die(f, **arrays):
    f.write(b"PK half a drawing")
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)

drawings.np.savez_compressed = half_then_die
drawings.save_drawing(np.zeros((28, 28)), 2, None, folder)
"""


def test_a_write_killed_midway_leaves_earlier_drawings_readable(tmp_path):
    save_drawing(digit(), 0, None, tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", DIE_WHILE_SAVING, str(tmp_path)], cwd=PROJECT_DIR, timeout=60
    )
    assert child.returncode == -signal.SIGKILL
    found = load_drawings(tmp_path)
    assert found.labels.tolist() == [0, 1] and found.problems == []
    [leftover] = tmp_path.glob(".*.tmp.npz")
    assert remove_stale_temporaries(tmp_path) == [leftover]


def test_the_pages_listing_follows_every_add_and_delete(tmp_path):
    """ui.services.saved_drawings re-reads on a change of the folder itself, not its files."""
    from ui.services import saved_drawings

    folder = tmp_path / "drawings"
    assert len(saved_drawings(folder)) == 0  # no folder yet
    ids = [save_drawing(digit(), label, folder=folder) for label in (1, 2, 3)]
    assert saved_drawings(folder).labels.tolist() == [1, 2, 3]
    delete_drawing(ids[1], folder)
    assert saved_drawings(folder).labels.tolist() == [1, 3]
    ids.append(save_drawing(digit(), 4, folder=folder))
    assert saved_drawings(folder).ids == [ids[0], ids[2], ids[3]]


def test_delete_all_removes_every_drawing_and_nothing_else(tmp_path):
    from mnist_core.drawings import delete_all_drawings

    for label in (1, 2, 8):
        save_drawing(np.zeros((28, 28), np.float32), label, folder=tmp_path)
    (tmp_path / "notes.npz").write_bytes(b"not a drawing")
    assert delete_all_drawings(tmp_path) == 3
    assert len(load_drawings(tmp_path)) == 0 and (tmp_path / "notes.npz").exists()
