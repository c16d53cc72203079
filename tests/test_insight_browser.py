"""Issue 6 in headless Chromium: the confusion matrix drill-down, and the loop of correcting
a misread drawing, fine-tuning on it, and seeing the new model read it right."""

import re
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.config import TrainConfig
from mnist_core.data import to_float
from mnist_core.drawings import load_drawings, save_drawing
from mnist_core.evaluation import confusion_matrix
from mnist_core.pendigits import PenDigits, render
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.store import TrainingRequest
from mnist_core.tf.predict import cached_model, classify
from mnist_core.tf.training import train_and_save
from testkit.apprunner import (
    METRIC,
    canvas_box,
    clear_canvas,
    correction_pill,
    draw,
    models_with_default,
    open_page,
    pick,
    prediction,
    wait_idle,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    """The app with the default model and `tiny`, a dense model trained on 1,000 digits."""
    models = models_with_default(tmp_path_factory.mktemp("models"))
    drawings = tmp_path_factory.mktemp("drawings")
    config = TrainConfig(arch="dense", epochs=1, train_size=1000, batch_size=32)
    train_and_save(TrainingRequest(config, "tiny", models))
    return app_server(models, drawings), models, drawings


def test_confusion_matrix_drill_down_shows_those_images(app, browser, mnist, default_model_path):
    url, _, _ = app
    probs = classify(cached_model(default_model_path), to_float(mnist[2]))
    confusion = confusion_matrix(mnist[3], probs.argmax(1))
    page = open_page(browser, f"{url}/evaluate")
    expect(page.get_by_text("test images of a")).to_be_visible(timeout=120000)
    accuracy = page.locator(METRIC).filter(has_text="Test accuracy")
    expect(accuracy).to_contain_text(f"{np.trace(confusion) / 100:.2f}%")
    for true, read in ((5, 3), (7, 2)):
        pick(page, "eval_true", str(true))
        pick(page, "eval_pred", str(read))
        count = int(confusion[true, read])
        heading = page.locator(".st-key-eval_gallery h3")
        expect(heading).to_have_text(f"{count} test images of a {true} read as a {read}")
        expect(page.locator(".st-key-eval_gallery img")).to_have_count(min(count, 40))
    # a click on the heatmap picks its cell (the gallery heading shows what the two
    # pickers hold): the centre of the chart is not (7, 2)
    chart = page.locator(".st-key-eval_confusion")
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(heading).not_to_have_text(re.compile("of a 7 read as a 2"))
    wait_idle(page)
    pattern = r"(\d+) test images of a (\d) read (?:as a (\d)|right)"
    shown = re.fullmatch(pattern, heading.inner_text())
    count, true = int(shown[1]), int(shown[2])
    read = int(shown[3]) if shown[3] else true
    assert count == confusion[true, read]


def misread_candidates(models, n=6):
    """Pen digits (index, strokes, label) that `tiny` reads wrong when rendered like the page."""
    digits, rng = PenDigits(), np.random.default_rng(0)
    model = cached_model(models / "tiny.keras")
    found = []
    for i in rng.permutation(len(digits))[:300]:
        strokes = digits.placed(i, rng)
        digit = canvas_to_mnist(render(strokes))
        if digit is not None and classify(model, digit[None]).argmax() != digits.labels[i]:
            found.append((strokes, int(digits.labels[i])))
        if len(found) == n:
            break
    return found


def test_correct_fine_tune_and_read_right(app, browser):
    url, models, drawings = app
    page = open_page(browser, f"{url}/draw")
    canvas_box(page)
    pick(page, "draw_model", re.compile(r"^tiny"))
    wait_idle(page)
    for strokes, label in misread_candidates(models):  # one the browser also misreads
        clear_canvas(page)
        draw(page, strokes)
        if prediction(page) != label:
            break
    else:
        pytest.fail("tiny read every candidate right")
    for k in range(5):  # correct the same drawing five times
        if k:
            wait_idle(page)  # the correction's rerun has ended: the page is where it stays
            draw(page, strokes)
            prediction(page)
        correction_pill(page, label).click()
        expect(page.get_by_text("Draw one digit")).to_be_visible()  # saved, then cleared
        deadline = time.monotonic() + 30  # and the file written before the next drawing
        while len(list(drawings.glob("*.npz"))) < k + 1 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
    assert len(list(drawings.glob("*.npz"))) == 5
    # a fine-tune needs 20 drawings: 15 more copies of one corrected in the browser
    saved = load_drawings(drawings)
    for _ in range(15):
        save_drawing(saved.digits[0], label, folder=drawings)

    page.goto(f"{url}/train")
    page.locator(".st-key-train_mode button").filter(has_text="Fine-tune").click()
    pick(page, "train_base", re.compile(r"^tiny"))
    expect(
        page.get_by_text(re.compile(r"The class's 20 saved drawings .* are mixed"))
    ).to_be_visible()
    page.locator(".st-key-train_name input").fill("tiny-mine")
    page.locator(".st-key-train_name input").press("Enter")
    page.locator(".st-key-train_start button").click()
    mine = page.locator(METRIC).filter(has_text="The 20 drawings")
    expect(mine).to_be_visible(timeout=300000)
    expect(mine.locator("[data-testid='stMetricValue']")).to_have_text(re.compile(r"→ 100%$"))

    page.locator(".st-key-train_draw a").click()
    page.wait_for_url("**/draw", timeout=30000)
    expect(page.locator(".st-key-draw_model input")).to_have_value(re.compile(r"^tiny-mine"))
    draw(page, strokes)
    assert prediction(page) == label

    page.goto(f"{url}/evaluate")
    pick(page, "eval_model", re.compile(r"^tiny-mine"))
    expect(page.get_by_text("before → after fine-tuning")).to_be_visible(timeout=120000)


def test_deleting_a_saved_drawing_keeps_the_panel_open_and_says_so(app, browser, mnist):
    url, _, drawings = app
    # more 1s than any digit the other tests saved, so the panel opens on the 1s
    ones = [to_float(x) for x in mnist[0][mnist[1] == 1][:30]]
    ids = [save_drawing(x, 1, folder=drawings) for x in ones]  # the newest listed first
    page = open_page(browser, f"{url}/draw")
    page.get_by_text("The class's saved drawings").click()
    # the panel opens on the digit with the most drawings: the 1s
    page.locator(f".st-key-draw_delete_{ids[-1]} button").click()
    # it asks once, and nothing is gone before the yes
    expect(page.get_by_text("Delete this drawing of a 1? It is gone for everyone.")).to_be_visible()
    assert (drawings / f"{ids[-1]}.npz").exists()
    page.locator(".st-key-draw_delete_yes button").click()
    said = page.get_by_text(re.compile(r"Deleted a drawing of a 1; \d+ of them left"))
    expect(said).to_be_visible()
    # until the run ends, the panel's elements from before it may still be shown beside
    # the new ones (on a busy machine, two buttons of one key)
    wait_idle(page)
    expect(page.locator(f".st-key-draw_delete_{ids[-2]} button")).to_be_visible()  # still open
    expect(page.locator(f".st-key-draw_delete_{ids[-1]} button")).to_have_count(0)
    assert not (drawings / f"{ids[-1]}.npz").exists()
    # Delete all asks too; cancelled, nothing goes
    page.locator(".st-key-draw_delete_all button").click()
    expect(
        page.get_by_text(re.compile(r"Delete all \d+ saved drawings, everyone's\?"))
    ).to_be_visible()
    page.locator(".st-key-draw_delete_no button").click()
    expect(page.locator(".st-key-draw_confirm")).to_have_count(0)
    assert (drawings / f"{ids[-2]}.npz").exists()


def test_a_correction_saved_with_the_panel_open_is_listed_there(app, browser):
    # the panel is outside the drawing's fragment (a stroke does not render it again), so
    # a drawing saved from the pills while it is open reruns the page to list it
    url, _, drawings = app
    digits, rng = PenDigits(), np.random.default_rng(3)
    twos = np.flatnonzero(digits.labels == 2)
    page = open_page(browser, f"{url}/draw")
    canvas_box(page)
    before = len(list(drawings.glob("*.npz")))
    page.get_by_text("The class's saved drawings").click()
    listed = page.get_by_text(re.compile(r"^(\d+) drawings, everyone's|^None yet"))
    expect(listed).to_be_visible()
    draw(page, digits.placed(int(twos[0]), rng))
    prediction(page)
    correction_pill(page, 2).click()
    expect(page.get_by_text(re.compile(rf"^{before + 1} drawings, everyone's"))).to_be_visible()
    expect(page.locator(".st-key-draw_manage_digit button").filter(has_text="2 (")).to_be_visible()
