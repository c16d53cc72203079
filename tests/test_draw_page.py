"""Draw page logic without a browser: AppTest runs the page and the answer for an injected
canvas image (the canvas itself is a component AppTest cannot drive)."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core.data import PROJECT_DIR
from mnist_core.store import MODELS_DIR
from ui.charts import BEST_COLOUR, digit_bars
from ui.draw import pixel_preview, probability_bars


def answer_script(image_file: str, model_dir: str):
    import numpy as np

    from mnist_core.store import inspect, model_path
    from ui.draw import answer_ui

    image = np.load(image_file) if image_file else None
    answer_ui(image, inspect(model_path("default", model_dir)))


def run_answer(tmp_path, image):
    image_file = ""
    if image is not None:
        image_file = str(tmp_path / "canvas.npy")
        np.save(image_file, image)
    at = AppTest.from_function(
        answer_script, args=(image_file, str(MODELS_DIR)), default_timeout=60
    )
    return at.run()


def test_page_renders_with_the_default_model_selected():
    at = AppTest.from_file(str(PROJECT_DIR / "app_pages" / "draw.py"), default_timeout=60).run()
    assert not at.exception
    assert at.selectbox(key="draw_model").value == "default"
    assert "parameters" in at.caption[0].value
    assert not at.metric  # nothing drawn yet


def test_the_title_says_what_is_drawn():
    at = AppTest.from_file(str(PROJECT_DIR / "app_pages" / "draw.py"), default_timeout=60).run()
    assert at.title[0].value.endswith("Draw a digit")
    at.session_state["draw_mode"] = "A number"
    at.run()
    assert not at.exception and at.title[0].value.endswith("Draw a number")


def test_a_link_with_a_model_opens_the_page_on_it_once():
    """/draw?model=NAME (the Train page's "Draw with this model"): that model, and the
    address plain /draw again; a name no longer saved is said so, and the default shown."""
    page = str(PROJECT_DIR / "app_pages" / "draw.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.query_params["model"] = "mnist-cnn"
    at.run()
    assert not at.exception and at.selectbox(key="draw_model").value == "mnist-cnn"
    assert "model" not in at.query_params
    at.selectbox(key="draw_model").select("default").run()  # the link chose it once only
    assert at.selectbox(key="draw_model").value == "default"

    gone = AppTest.from_file(page, default_timeout=60)
    gone.query_params["model"] = "discarded-meanwhile"
    gone.run()
    assert not gone.exception and gone.selectbox(key="draw_model").value == "default"
    assert "`discarded-meanwhile` is no longer saved" in gone.warning[0].value


def test_a_drawn_digit_gets_its_prediction(tmp_path, pen_sample):
    images, labels = pen_sample
    shown = []
    for image, label in zip(images[:3], labels[:3]):
        at = run_answer(tmp_path, image)
        assert not at.exception
        [metric] = at.metric
        assert metric.label == "Prediction" and "confident" in metric.delta
        shown.append(int(metric.value) == label)
    assert sum(shown) >= 2


@pytest.mark.parametrize("image", [None, np.zeros((280, 280, 4), np.uint8)], ids=["none", "empty"])
def test_nothing_drawn_invites_drawing(tmp_path, image):
    at = run_answer(tmp_path, image)
    assert not at.exception and not at.metric
    assert "Draw one digit" in at.info[0].value


def test_a_lone_dot_is_named_and_not_read(tmp_path):
    from mnist_core.pendigits import render

    dot = render([np.array([[140.0, 140.0], [141.0, 141.0]])], 280, 20)
    at = run_answer(tmp_path, dot)
    assert not at.exception and not at.metric
    assert "only a dot" in at.info[0].value


def test_the_invitation_allows_digits_of_several_strokes(tmp_path):
    text = run_answer(tmp_path, None).info[0].value
    assert "single go" not in text and "strokes" in text


def bars(html: str) -> list[dict]:
    """Each bar's digit, highlight, height (% of the chart) and label, in page order."""
    found = re.findall(
        r'data-digit="(\d)" data-best="(true|false)".*?>([^<]*)</div>.*?height:([\d.]+)%', html
    )
    return [
        {"digit": int(d), "best": b == "true", "label": label, "height": float(h)}
        for d, b, label, h in found
    ]


def test_bars_are_ten_digits_in_order_with_the_winner_marked():
    probs = np.full(10, 0.02)
    probs[7] = 0.82
    html = probability_bars(probs)
    shown = bars(html)
    assert [b["digit"] for b in shown] == list(range(10))
    assert [b["best"] for b in shown].index(True) == 7 and sum(b["best"] for b in shown) == 1
    assert shown[7]["label"] == "82%" and shown[7]["height"] == 82.0
    assert shown[0]["height"] == 2.0  # on a 0-100% scale
    assert html.count(BEST_COLOUR) == 1


def test_bars_on_a_raised_floor_are_clipped_and_need_not_single_out_a_winner():
    accuracy = np.linspace(0.95, 1.0, 10)
    html = digit_bars(accuracy, domain=(0.96, 1), value_format="{:.1%}", highlight_best=False)
    shown = bars(html)
    assert not any(b["best"] for b in shown)
    assert shown[0]["height"] == 0.0 and shown[9]["height"] == 100.0
    assert shown[9]["label"] == "100.0%"


def test_preview_keeps_every_pixel_visible():
    digit = np.zeros((28, 28), np.float32)
    digit[10, 12] = 1.0
    big = pixel_preview(digit)
    assert big.shape == (168, 168)
    assert big[10 * 6 + 3, 12 * 6 + 3] == 1.0 and big[0, 0] > 0  # the pixel and a grid line


def test_a_scribble_is_answered_not_sure_and_a_clear_digit_is_not(tmp_path, pen_sample):
    from mnist_core.handwriting import scribble
    from mnist_core.pendigits import place, render

    rng = np.random.default_rng(8)
    unsure = 0
    for _ in range(5):
        at = run_answer(tmp_path, render(place(scribble(rng), rng), 280, 20))
        [metric] = at.metric
        if metric.value.endswith("?"):
            assert "not sure" in metric.delta and "Not sure" in at.warning[0].value
            unsure += 1
    assert unsure >= 4
    images, labels = pen_sample
    at = run_answer(tmp_path, images[0])
    [metric] = at.metric
    assert metric.value == str(labels[0]) and not at.warning


def test_unsure_digits_of_a_number_are_named_in_words():
    from ui.number import which_digits

    assert which_digits([1]) == "the 2nd digit"
    assert which_digits([0, 2]) == "the 1st and 3rd digits"
    assert which_digits([0, 1, 3, 10, 20]) == "the 1st, 2nd, 4th, 11th and 21st digits"
