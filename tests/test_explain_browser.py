"""The Draw page's explainer in headless Chromium on a phone (390×844): for a real pen digit
drawn by touch, why the model answered (the evidence map) and the 8 nearest training
images, labelled, within the screen's width."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    canvas_box,
    models_with_default,
    open_explainer,
    open_phone,
    prediction,
    sideways,
    touch_draw,
    with_cached_embeddings,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    return app_server(
        with_cached_embeddings(models_with_default(tmp_path_factory.mktemp("models")))
    )


def test_explainer_shows_evidence_and_nearest_images_within_a_phone(app, browser):
    phone = open_phone(browser, f"{app}/draw")
    digits = PenDigits()
    index = int(np.flatnonzero(digits.labels == 4)[0])
    strokes = digits.placed(index, np.random.default_rng(0), canvas=canvas_box(phone)["width"])
    touch_draw(phone, strokes)
    answer = prediction(phone, timeout=30000)  # the answer to all its strokes
    assert answer == 4
    open_explainer(phone)
    why = phone.locator("[data-testid=stMarkdownContainer]", has_text="7. Why").last
    expect(why).to_contain_text(
        re.compile(rf"Why {answer}\? Red: ink that pushed towards {answer}")
    )
    expect(phone.locator(".st-key-explain_why")).to_contain_text("without a random 10%")
    labels = phone.locator(".st-key-explain_neighbours [data-testid=stImageCaption]")
    expect(labels).to_have_count(8)
    assert sum(text == f"labelled {answer}" for text in labels.all_inner_texts()) >= 4
    evidence = phone.locator(".st-key-explain_why img").bounding_box()
    assert evidence["width"] >= 200 and evidence["x"] + evidence["width"] <= 390
    assert sideways(phone) == 0
