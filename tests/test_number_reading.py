"""A number's reading: the option chosen by the model's answers, "?" under the not-sure
line, composed pen-digit numbers read by the bundled model, one request per number."""

import numpy as np
import pytest

from mnist_core.calibration import NOT_SURE_BELOW
from mnist_core.number_reading import NumberReading, chosen, model_inputs, read_number
from mnist_core.numbers import DigitInk, InkGroup, number_options
from mnist_core.pendigits import PenDigits
from mnist_core.preprocess import Steps, canvas_to_mnist
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.tf.predict import cached_model, probabilities
from testkit.number_canvas import compose, writers_digits


def ink(x0: int) -> DigitInk:
    digit = np.zeros((28, 28), np.float32)
    steps = Steps(ink=digit, bbox=(0, 0, 1, 1), boxed=digit, digit=digit)
    return DigitInk(box=(x0, 10, x0 + 50, 90), steps=steps)


def answer(digit: int, confidence: float) -> np.ndarray:
    probs = np.full(10, (1 - confidence) / 9)
    probs[digit] = confidence
    return probs


def test_each_group_is_read_by_its_option_most_likely_right_throughout():
    one = InkGroup(((ink(0),),))
    touching = InkGroup(((ink(100),), (ink(100), ink(150)), (ink(100), ink(160))))
    groups = [one, touching]
    assert model_inputs(groups).shape == (6, 28, 28)
    answers = [
        answer(2, 0.97),
        answer(8, 0.6),
        answer(0, 0.9),
        answer(3, 0.45),
        *[answer(0, 0.95), answer(3, 0.9)],
    ]
    reading = chosen(groups, np.array(answers))
    assert reading.number == "203"
    assert [d.box[0] for d in reading.digits] == [0, 100, 160]
    assert reading.digits[2].confidence == pytest.approx(0.9)
    # the whole read better than any cut: one digit
    answers[1] = answer(8, 0.99)
    assert chosen(groups, np.array(answers)).number == "28"
    with pytest.raises(ValueError, match="5 answers"):
        chosen(groups, np.array(answers[:5]))


def test_a_digit_drawn_alone_is_cut_only_where_it_reads_as_not_sure():
    alone = [InkGroup(((ink(0),), (ink(0), ink(40))), lone=True)]
    cut_reads_better = [answer(0, 0.6), answer(1, 0.99), answer(7, 0.99)]
    assert chosen(alone, np.array(cut_reads_better)).number == "0"
    cut_reads_better[0] = answer(0, NOT_SURE_BELOW - 0.01)
    assert chosen(alone, np.array(cut_reads_better)).number == "17"


def test_digits_under_the_not_sure_line_are_shown_with_a_question_mark():
    groups = [InkGroup(((ink(x),),)) for x in (0, 60, 120, 180)]
    answers = [answer(2, 0.9), answer(0, 0.8), answer(3, NOT_SURE_BELOW - 0.01), answer(6, 0.5)]
    reading = chosen(groups, np.array(answers))
    assert reading.number == "2036" and reading.shown == "203?6" and not reading.sure
    assert [d.sure for d in reading.digits] == [True, True, False, True]
    empty = NumberReading(())
    assert empty.number == empty.shown == "" and empty.digits == ()


def test_nothing_drawn_asks_the_model_nothing():
    def predict(_):
        raise AssertionError("asked")

    assert read_number(np.zeros((280, 840, 4), np.uint8), predict).number == ""


@pytest.fixture(scope="module")
def numbers():
    digits = PenDigits()
    writers = writers_digits(digits)
    rng = np.random.default_rng(31)
    return [compose(digits, rng, int(rng.integers(2, 7)), writers) for _ in range(60)]


def test_the_bundled_model_reads_composed_numbers_in_one_request(default_model_path, numbers):
    model = cached_model(default_model_path)
    calls = []

    def predict(inputs):
        calls.append(len(inputs))
        return probabilities(model, inputs)

    readings = [read_number(n.image, predict) for n in numbers]
    assert len(calls) == len(numbers)  # one request a number
    counted = np.mean([len(r.digits) == len(n.labels) for r, n in zip(readings, numbers)])
    right = np.mean([r.number == n.text for r, n in zip(readings, numbers)])
    assert counted >= 0.93 and right >= 0.85, (counted, right)
    for r, n in zip(readings, numbers):
        if len(r.digits) == len(n.labels):  # each box holds its digit's own box's middle
            for d, (x0, _, x1, _) in zip(r.digits, n.boxes):
                assert d.box[0] <= (x0 + x1) / 2 <= d.box[2]


def test_worker_answers_a_number_in_one_request(default_model_path, numbers):
    inputs = model_inputs(number_options(numbers[0].image))
    worker = PredictionWorker()
    try:
        answers = worker.number(default_model_path, inputs)
        direct = probabilities(cached_model(default_model_path), inputs)
        assert answers.shape == (len(inputs), 10)
        np.testing.assert_allclose(answers, direct, atol=1e-5)
    finally:
        worker.close()


def test_a_digit_drawn_alone_gets_todays_answer(default_model_path, pen_sample):
    model = cached_model(default_model_path)
    images, _ = pen_sample
    for image in images[:40]:
        today = probabilities(model, canvas_to_mnist(image)[None])[0]
        reading = read_number(image, lambda x: probabilities(model, x))
        if today.max() >= NOT_SURE_BELOW:
            [digit] = reading.digits
            assert digit.digit == today.argmax()
            assert digit.confidence == pytest.approx(today.max(), abs=1e-4)
            np.testing.assert_array_equal(digit.digit_input, canvas_to_mnist(image))
