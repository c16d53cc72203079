"""Handwriting styles on pen strokes, training images from them, the non-digit loss, and
calibrated confidence: each checked on real outputs."""

import json
from dataclasses import replace

import numpy as np
import pytest

from mnist_core.calibration import (
    NOT_SURE_BELOW,
    Honesty,
    expected_calibration_error,
    fit_temperature,
    not_sure_share,
)
from mnist_core.handwriting import (
    NOT_A_DIGIT,
    TESTING,
    TRAINING,
    based_one,
    bounds,
    flagged_one,
    line,
    lone_line,
    long_flag_one,
    open_four,
    phi_zero,
    slashed_zero,
    stem_of,
    theta_zero,
    two_stroke_five,
)
from mnist_core.pen_training import HandwritingRecipe, drawing_input, training_images, writer_split
from mnist_core.pendigits import PenDigits, pen_digits_path
from mnist_core.store import MODELS_DIR


@pytest.fixture(scope="module")
def digits():
    return PenDigits()


def first(digits, label, strokes=None):
    for i in np.flatnonzero(digits.labels == label):
        if strokes is None or len(digits.strokes(i)) == strokes:
            return digits.strokes(i)
    raise AssertionError(f"no {label} with {strokes} strokes")


def test_a_slashed_zero_is_narrower_and_its_slash_leaves_the_oval(digits):
    zero = first(digits, 0, strokes=1)
    rng = np.random.default_rng(1)
    oval, slash = (lambda s: (s[:-1], s[-1]))(slashed_zero(zero, rng))
    left, top, right, bottom = bounds(oval)
    assert right - left < 0.9 * (bounds(zero)[2] - bounds(zero)[0]) + 1e-9
    (x0, y0), (x1, y1) = slash[0], slash[-1]
    assert x0 <= left and y0 >= bottom  # starts below left of the oval
    assert x1 >= right and y1 <= top  # ends above right of it


def test_a_flagged_one_rises_from_lower_left_to_the_top_of_its_stem(digits):
    one = first(digits, 1, strokes=1)
    for seed in range(20):
        drawn = flagged_one(one, np.random.default_rng(seed))
        every = np.concatenate(drawn)
        height = np.ptp(every[:, 1])
        flag = drawn[0][:12]  # the flag is drawn first, as its own stroke or the start of one
        dx, dy = flag[-1] - flag[0]
        angle = np.degrees(np.arctan2(-dy, dx))  # above the horizontal, y points down
        assert TRAINING.flag_angle[0] - 1e-6 <= angle <= TRAINING.flag_angle[1] + 1e-6
        assert np.isclose(flag[-1][1], every[:, 1].min(), atol=0.02 * height)  # the top


@pytest.mark.parametrize("ranges", [TRAINING, TESTING], ids=["training", "testing"])
def test_a_phi_zero_is_a_small_narrow_oval_on_a_long_steep_slash(digits, ranges):
    """As new writers draw it (issue 29): the slash starts well below the oval and ends
    well above it, steeper than 50°, and is over 1.15 times the oval's height."""
    zero = first(digits, 0, strokes=1)
    for seed in range(20):
        *oval, slash = phi_zero(zero, np.random.default_rng(seed), ranges)
        left, top, right, bottom = bounds(oval)
        low, high = (slash[0], slash[-1]) if slash[0][1] > slash[-1][1] else (slash[-1], slash[0])
        assert low[1] > bottom + 0.05 * (bottom - top) and high[1] < top - 0.05 * (bottom - top)
        assert np.ptp(slash[:, 1]) >= 1.15 * (bottom - top)
        dx, dy = high - low
        assert np.degrees(np.arctan2(-dy, abs(dx))) >= 50
        assert right - left < bottom - top  # narrow and upright
        # the slash goes through the oval, near its middle
        middle = slash[np.argmin(np.abs(slash[:, 1] - (top + bottom) / 2))]
        assert left <= middle[0] <= right


@pytest.mark.parametrize("ranges", [TRAINING, TESTING], ids=["training", "testing"])
def test_a_long_flag_one_has_a_near_horizontal_flag_and_no_foot(digits, ranges):
    one = first(digits, 1, strokes=1)
    for seed in range(20):
        drawn = long_flag_one(one, np.random.default_rng(seed), ranges)
        every = np.concatenate(drawn)
        flag = drawn[0][:12]
        dx, dy = flag[-1] - flag[0]
        assert dx > 0  # from the left to the stem's top
        assert np.degrees(np.arctan2(-dy, dx)) <= 33  # near-horizontal or gently rising
        stem_height = np.ptp(every[:, 1])
        assert 0.3 * stem_height <= np.hypot(dx, dy) <= 0.95 * stem_height
        bottom = every[every[:, 1] > every[:, 1].max() - 0.05 * stem_height]
        assert np.ptp(bottom[:, 0]) < 0.15 * stem_height  # no foot


def test_a_based_one_stands_on_a_horizontal_foot(digits):
    one = first(digits, 1, strokes=1)
    for seed in range(20):
        *rest, foot = based_one(one, np.random.default_rng(seed))
        height = np.ptp(np.concatenate(rest)[:, 1])
        assert np.ptp(foot[:, 0]) >= 0.25 * height and np.ptp(foot[:, 1]) <= 0.1 * height
        assert abs(foot[:, 1].mean() - np.concatenate(rest)[:, 1].max()) <= 0.1 * height


def test_a_theta_zero_has_a_bar_across_its_middle(digits):
    zero = first(digits, 0, strokes=1)
    for seed in range(20):
        *oval, bar = theta_zero(zero, np.random.default_rng(seed))
        left, top, right, bottom = bounds(oval)
        assert np.ptp(bar[:, 0]) >= 0.6 * (right - left)
        assert top + 0.3 * (bottom - top) <= bar[:, 1].mean() <= top + 0.7 * (bottom - top)


def test_a_flag_goes_on_the_stem_not_on_a_foot_with_more_points(digits):
    # a writer whose foot, its own stroke, has more pen points than the stem
    ones = [digits.strokes(i) for i in np.flatnonzero(digits.labels == 1)]
    one = next(s for s in ones if max(s, key=len) is not max(s, key=lambda t: np.ptp(t[:, 1])))
    assert np.ptp(stem_of(one)[:, 1]) >= 0.8 * np.ptp(np.concatenate(one)[:, 1])
    for seed in range(10):
        left, top, right, bottom = bounds(flagged_one(one, np.random.default_rng(seed)))
        assert bottom - top >= 0.8 * np.ptp(np.concatenate(one)[:, 1])  # a 1, not a line


def test_a_stem_drawn_with_its_flag_and_foot_in_one_stroke_loses_both():
    stroke = np.concatenate([line((0.3, 0.3), (0.5, 0.0)), line((0.5, 0.0), (0.52, 1.0), 40)])
    stroke = np.concatenate([stroke, line((0.52, 1.0), (0.9, 1.02))])  # the foot
    stem = stem_of([stroke])
    assert stem[0][1] == 0.0 and stem[-1][1] > 0.9  # top down, the whole height
    assert np.ptp(stem[:, 0]) < 0.1  # neither the flag nor the foot


def test_a_five_whose_bar_is_a_tick_keeps_a_bar_not_a_dot():
    body = np.concatenate([line((0.1, 0.1), (0.1, 0.5)), line((0.1, 0.5), (0.6, 1.0))])
    tick = line((0.12, 0.0), (0.17, 0.0), 4)  # a tenth of the digit's width
    for seed in range(20):
        bar = two_stroke_five([tick, body], np.random.default_rng(seed))[0]
        assert np.hypot(*np.ptp(bar, axis=0)) >= TRAINING.bar_length[0] * 0.25 - 1e-9


def test_a_five_gets_its_bar_moved_only_when_written_in_two_strokes(digits):
    one_stroke, two_strokes = first(digits, 5, strokes=1), first(digits, 5, strokes=2)
    rng = np.random.default_rng(3)
    assert two_stroke_five(one_stroke, rng) is one_stroke
    moved = two_stroke_five(two_strokes, rng)
    changed = [not np.array_equal(a, b) for a, b in zip(moved, two_strokes)]
    assert sum(changed) == 1  # the bar, and only it


def test_an_open_four_moves_its_upright_right(digits):
    four = first(digits, 4, strokes=2)
    opened = open_four(four, np.random.default_rng(0))
    shifts = [float((b - a)[:, 0].mean()) for a, b in zip(four, opened)]
    assert sorted(shifts)[0] == 0 and sorted(shifts)[1] > 0


def test_lone_lines_are_never_upright_like_a_one():
    for seed in range(50):
        (stroke,) = lone_line(np.random.default_rng(seed))
        dx, dy = stroke[-1] - stroke[0]
        assert abs(np.degrees(np.arctan2(abs(dx), abs(dy)))) >= TRAINING.line_angle[0] - 8


def test_writers_are_split_whole_and_left_out_sources_are_absent(digits):
    trained, calibration = writer_split(digits, left_out=("syn",))
    assert not set(digits.writers[trained]) & set(digits.writers[calibration])
    assert "syn" not in set(digits.sources()[np.concatenate([trained, calibration])])
    assert len(trained) + len(calibration) == (digits.sources() != "syn").sum()


def test_training_images_are_model_inputs_with_non_digits_labelled(digits):
    recipe = HandwritingRecipe(renders_per_digit=2, not_digits=12, seed=4)
    picks = np.arange(0, 60, 3)
    x, y = training_images(pen_digits_path(), picks, recipe, workers=1)
    assert x.dtype == np.float32 and x.shape[1:] == (28, 28)
    assert 0 <= x.min() and x.max() <= 1
    assert (y == NOT_A_DIGIT).sum() >= 10  # a few may preprocess to nothing
    assert set(y[y != NOT_A_DIGIT]) <= set(digits.labels[picks])
    again = training_images(pen_digits_path(), picks, recipe, workers=1)
    assert np.array_equal(again[0], x)  # the same recipe gives the same images


def test_styled_renders_add_drawings_only_of_digits_that_can_take_their_style(digits):
    ones = np.flatnonzero(digits.labels == 1)[:6]
    twos = np.flatnonzero(digits.labels == 2)[:6]  # no style: nothing added
    plain = HandwritingRecipe(renders_per_digit=1, not_digits=0, seed=2, styled_renders=())
    more = replace(plain, styled_renders=(("flagged_one", 2),))
    for picks, added in ((ones, 12), (twos, 0)):
        base = len(training_images(pen_digits_path(), picks, plain, workers=1)[1])
        assert len(training_images(pen_digits_path(), picks, more, workers=1)[1]) == base + added


def test_temperature_fitting_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (4000, 10))
    scaled = logits / 2.5
    p = np.exp(scaled - scaled.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    labels = np.array([rng.choice(10, p=row) for row in p])  # drawn as softmax(logits / 2.5)
    assert fit_temperature(logits, labels) == pytest.approx(2.5, rel=0.1)
    assert fit_temperature(scaled / 2.5, labels) == 1.0  # wants T = 0.4: never sharper than 1
    assert expected_calibration_error(p, labels) < 0.03
    overconfident = np.exp(logits - logits.max(1, keepdims=True))
    overconfident /= overconfident.sum(1, keepdims=True)
    assert expected_calibration_error(overconfident, labels) > 0.1


def test_honesty_figures_count_what_they_say():
    probs = np.array([[0.95, 0.05] + [0] * 8, [0.4, 0.6] + [0] * 8, [0.92, 0.08] + [0] * 8])
    figures = Honesty.of(probs, np.array([0, 1, 1]))
    assert figures.accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert figures.confidently_wrong == pytest.approx(1 / 3, abs=1e-4)  # the third, at 92%
    assert figures.right_and_sure == 1.0
    assert not_sure_share(probs[:, :] * 0 + 0.1, nothing=2) == 1.0


def test_the_non_digit_loss_is_the_tutorial_loss_for_digits_and_uniform_for_the_rest():
    import keras

    from mnist_core.tf.models import NotADigitCrossEntropy

    logits = np.random.default_rng(1).normal(0, 3, (6, 10)).astype("float32")
    digits = np.array([0, 3, 9, 1, 2, 5])
    ours = NotADigitCrossEntropy(reduction=None)(digits, logits)
    tutorial = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    assert np.allclose(ours, tutorial(digits, logits), atol=1e-5)
    none = np.full(2, NOT_A_DIGIT)
    flat = NotADigitCrossEntropy(reduction=None)(none, np.zeros((2, 10), "float32"))
    peaked = NotADigitCrossEntropy(reduction=None)(none, logits[:2])
    assert np.allclose(flat, np.log(10)) and (np.asarray(peaked) > np.log(10)).all()


def test_a_baked_in_temperature_divides_the_logits(default_model_path):
    from mnist_core.tf.default_model import with_temperature
    from mnist_core.tf.predict import load_model, scores

    model = load_model(MODELS_DIR / "mnist-cnn.keras")
    images = np.random.default_rng(0).uniform(0, 1, (4, 28, 28)).astype("float32")
    assert np.allclose(scores(with_temperature(model, 2.0), images), scores(model, images) / 2)


def test_the_shipped_model_card_says_what_it_learnt_and_its_temperature(default_model_path):
    card = json.loads(default_model_path.with_suffix(".json").read_text())
    assert card["temperature"] > 0 and "UNIPEN" in card["trained_on"]
    assert card["fine_tuned_from"] == "mnist-cnn"


def test_the_shipped_model_is_unsure_of_lines_and_scribbles_and_sure_of_digits(
    default_model_path, pen_sample
):
    from mnist_core.handwriting import StyleRanges, scribble
    from mnist_core.preprocess import canvas_to_mnist
    from mnist_core.tf.predict import cached_model, classify

    model = cached_model(default_model_path)
    other = StyleRanges(scribble_points=(30, 120), line_angle=(35.0, 90.0))  # not training's
    rng = np.random.default_rng(77)
    marks = [drawing_input(make(rng, other), rng, 20) for make in (scribble, lone_line) * 40]
    probs = classify(model, np.stack([m for m in marks if m is not None]))
    assert not_sure_share(probs, sum(m is None for m in marks)) >= 0.7
    images, labels = pen_sample
    digits = classify(model, np.stack([canvas_to_mnist(i) for i in images]))
    right = digits.argmax(1) == labels
    assert right.mean() >= 0.95 and (digits.max(1)[right] >= NOT_SURE_BELOW).mean() >= 0.95
