"""Screenshots of the Draw page's explainer for the README (issue 28): a pen digit drawn,
"How the model decided" opened, scrolled to the evidence map and the nearest training
images: docs/explain.png on a desktop (1280×800) and docs/explain_phone.png on a phone
(390×844). Starts its own app on a copy of the bundled model (and its cached training
embeddings, if models/.cache has them).

usage: python bench/explain_screenshots.py [--digit INDEX]
"""

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.screenshots import DOCS, draw_digit
from testkit.apprunner import (
    CHROMIUM_ARGS,
    models_with_default,
    open_explainer,
    open_page,
    open_phone,
    sideways,
    start_app,
    stop_app,
    with_cached_embeddings,
)


def scroll_to_why(page) -> None:
    """Step 7 of the open explainer just under the page's header."""
    heading = page.locator("[data-testid=stMarkdownContainer]", has_text="7. Why").last
    heading.evaluate(
        "e => document.querySelector('[data-testid=stMain]').scrollTop +="
        " e.getBoundingClientRect().top - 70"
    )
    page.wait_for_timeout(500)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--digit", type=int, default=11, help="pen digit to draw")
    digit = options.parse_args().digit
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_app(models_dir=with_cached_embeddings(models_with_default(Path(tmp))))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = open_page(browser, f"{url}/draw")
                page.set_viewport_size({"width": 1280, "height": 800})
                draw_digit(page, digit)
                open_explainer(page)
                scroll_to_why(page)
                page.screenshot(path=DOCS / "explain.png")

                phone = open_phone(browser, f"{url}/draw")
                draw_digit(phone, digit, finger=True)
                open_explainer(phone)
                scroll_to_why(phone)
                phone.screenshot(path=DOCS / "explain_phone.png")
                print(f"phone: {sideways(phone):.0f} px of sideways scrolling")
                browser.close()
        finally:
            stop_app(process)


if __name__ == "__main__":
    main()
