"""Arrays made once and kept on disk (mnist_core.stored), and the fine-tune's fixed inputs
kept so (its marks that are no digit, the calibration drawings, the base's test score)."""

import numpy as np
import pytest

from mnist_core import stored


def counting(arrays):
    """make() for load_or_make, counting its calls."""
    calls = []

    def make():
        calls.append(1)
        return arrays

    return make, calls


def test_arrays_are_made_once_then_read_back_as_they_were(tmp_path):
    arrays = (np.arange(12, dtype=np.float32).reshape(3, 4), np.array([7, 1], np.uint8))
    make, calls = counting(arrays)
    path = tmp_path / "kept" / "two.npz"
    first = stored.load_or_make(path, make)
    second = stored.load_or_make(path, make)
    assert len(calls) == 1 and path.exists()
    for made, read, original in zip(first, second, arrays):
        assert read.dtype == original.dtype and np.array_equal(read, original)
        assert made is original
    assert [p.name for p in path.parent.iterdir()] == ["two.npz"]  # no temporary left


def test_a_damaged_file_is_made_again_and_an_unwritable_folder_only_costs_time(tmp_path):
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"half a file")
    make, calls = counting((np.ones(3),))
    assert np.array_equal(stored.load_or_make(damaged, make)[0], np.ones(3))
    assert np.array_equal(stored.load_or_make(damaged, make)[0], np.ones(3))
    assert len(calls) == 1  # the damaged file was replaced by a good one

    whole = damaged.read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2])  # a file cut short: its zip is broken
    assert np.array_equal(stored.load_or_make(damaged, make)[0], np.ones(3))
    assert len(calls) == 2 and damaged.read_bytes() == whole

    (tmp_path / "a-file").write_text("not a folder")
    unwritable = tmp_path / "a-file" / "kept.npz"
    for _ in range(2):
        assert np.array_equal(stored.load_or_make(unwritable, make)[0], np.ones(3))
    assert len(calls) == 4


def test_the_key_is_every_input_and_the_code(monkeypatch, tmp_path):
    monkeypatch.setenv(stored.CACHE_ENV, str(tmp_path))
    one = stored.cached_path("marks", 2000, 7)
    assert one.parent == tmp_path and one.name.startswith("marks.") and one.suffix == ".npz"
    assert stored.cached_path("marks", 2000, 7) == one
    assert len({one, stored.cached_path("marks", 2000, 8), stored.cached_path("x", 2000, 7)}) == 3
    monkeypatch.setattr(stored, "code_digest", lambda: "another version")
    assert stored.cached_path("marks", 2000, 7) != one


def test_other_versions_files_go_once_old_when_arrays_are_made(monkeypatch, tmp_path):
    import os
    import time

    monkeypatch.setenv(stored.CACHE_ENV, str(tmp_path))
    week_ago = time.time() - stored.STALE_AFTER_S - 60
    other = tmp_path / f"marks.{'0' * 16}.{'1' * 20}.npz"  # another version, old
    before = tmp_path / f"marks.{'2' * 20}.npz"  # named before the digest was in names
    recent = tmp_path / f"marks.{'0' * 16}.{'3' * 20}.npz"  # another version, used today
    foreign = tmp_path / "someone-elses.npz"  # a user's folder may hold other files
    for path in (other, before, recent, foreign):
        path.write_bytes(b"x")
        if path is not recent:
            os.utime(path, (week_ago, week_ago))
    current = stored.cached_path("marks", 1)
    stored.load_or_make(current, lambda: (np.ones(2),))  # made here: the old ones go
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (recent, foreign, current)
    )
    os.utime(current, (week_ago, week_ago))  # this version's own files stay, however old
    stored.load_or_make(stored.cached_path("marks", 2), lambda: (np.ones(2),))
    assert current.exists() and recent.exists()
    # arrays kept elsewhere (beside a model) never clean that folder
    beside = tmp_path / "model-folder"
    beside.mkdir()
    old = beside / f"marks.{'0' * 16}.{'1' * 20}.npz"
    old.write_bytes(b"x")
    os.utime(old, (week_ago, week_ago))
    stored.load_or_make(beside / "embeddings.npz", lambda: (np.ones(2),))
    assert old.exists()


def test_a_changed_data_file_is_another_key(tmp_path):
    data = tmp_path / "pen.npz"
    data.write_bytes(b"1")
    before = stored.file_identity(data)
    data.write_bytes(b"12")
    assert stored.file_identity(data) != before


def test_the_fine_tunes_fixed_inputs_are_made_once(monkeypatch, tmp_path):
    import mnist_core.tf.training as training
    from mnist_core.pen_training import non_digit_images

    monkeypatch.setenv(stored.CACHE_ENV, str(tmp_path))
    marks = training.stored_marks(40, seed=3)
    assert np.array_equal(marks, non_digit_images(40, 3))

    def refuse(*args, **kwargs):
        raise AssertionError("made again")

    monkeypatch.setattr(training, "non_digit_images", refuse)
    assert np.array_equal(training.stored_marks(40, seed=3), marks)
    with pytest.raises(AssertionError, match="made again"):
        training.stored_marks(41, seed=3)
