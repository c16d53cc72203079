"""The Draw page's drawing surface: a 280×280 canvas that the page's CSS sizes to the
screen, and the page's own Undo and Clear in place of the component's hover toolbar.

streamlit-drawable-canvas 0.13 floats a toolbar over the canvas's top-right strip that
stays invisible until a pointer hovers it; a finger never hovers, so strokes started
there were swallowed and its Undo could not be found. The component is mounted without
its shadow root so that the page's CSS reaches inside it: the toolbar is hidden, and on
a phone the canvas is stretched to the screen's width. The canvas keeps its 280×280
pixels whatever its size on screen (the component maps touches through its on-screen
box), so the image the model reads, and the pen's width within it, never change.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import streamlit as st
import streamlit_drawable_canvas
from PIL import Image
from streamlit_drawable_canvas import CanvasResult, st_canvas

from ui.kept import forgotten, keep
from ui.layout import PHONE_WIDTH, SHORT_HEIGHT, style

SIDE = 280  # canvas pixels, on every screen
KEY = "draw_canvas"

# st_canvas mounts through the module's `out`, which the library made with
# isolate_styles=True: a shadow root that page CSS cannot enter. In its place, the same
# registered component (same name, files and root element) mounted without one. The
# library's version is pinned (requirements.txt); the phone browser tests fail if the
# toolbar comes back or the canvas stops stretching.
streamlit_drawable_canvas.out = st.components.v2.component(
    "streamlit-drawable-canvas.streamlit_drawable_canvas",
    js="index-*.js",
    css="index-*.css",
    html='<div class="canvas-root"></div>',
    isolate_styles=False,
)


def square_canvas_css(media: str, side: str) -> str:
    """A rule that shows every layer of the canvas as a `side` × `side` square (a CSS
    length) on screens that match `media`; its pixels stay SIDE × SIDE."""
    return f"""@media {media} {{
  .st-key-{KEY} {{ --side: {side}; }}
  .st-key-{KEY} .dc-container,
  .st-key-{KEY} .canvas-container,
  .st-key-{KEY} canvas {{
    width: var(--side) !important;
    height: var(--side) !important;
  }}
}}"""


# The component sets the toolbar's display inline, hence !important. On a phone every
# layer of the canvas is stretched to the content width (100vw less Streamlit's 1rem
# padding each side), unless the screen is too short to show the Prediction under it as
# well: the page takes about 24rem above the canvas (header, title, a few lines of text)
# and under it (the tools, the Prediction). Never under 15rem, to leave room to draw. (svh:
# the height with the browser's address bar shown.)
CANVAS_CSS = (
    f"<style>\n.st-key-{KEY} .dc-toolbar {{ display: none !important; }}\n"
    + square_canvas_css(
        f"(max-width: {PHONE_WIDTH}px)", "max(15rem, min(100vw - 2rem, 100svh - 24rem))"
    )
    + "\n</style>"
)

# The single digit's canvas (not the number's: it keeps its 840 px) on a short wide screen
# (a projector, ui.layout): as large as the height leaves room for, above it the page's
# header, title, model and switch (some 18rem in that layout), under it the tools; never
# wider than its column (half the content, 5rem padding and a 3rem gap off the screen's
# width), nor under its 280 pixels.
PROJECTOR_CSS = (
    "<style>\n"
    + square_canvas_css(
        f"(min-width: {PHONE_WIDTH + 1}px) and (max-height: {SHORT_HEIGHT}px)",
        "max(280px, min(50vw - 6.5rem, 100vh - 23rem))",
    )
    + "\n</style>"
)

NUMBER_WIDTH = 3 * SIDE  # the number canvas: six digits at the single digit's height

# The number canvas on a screen narrower than it (a phone, a narrow window): the width of
# the content, a third as tall; its pixels stay NUMBER_WIDTH × SIDE (see the docstring).
WIDE_CSS = f"""<style>
@media (max-width: {NUMBER_WIDTH + 64}px) {{
  .st-key-{KEY} .dc-container,
  .st-key-{KEY} .canvas-container,
  .st-key-{KEY} canvas {{
    width: calc(100vw - 2rem) !important;
    height: calc((100vw - 2rem) / 3) !important;
  }}
}}
</style>"""


def canvas_style(width: int = SIDE) -> None:
    """The CSS of a canvas `width` wide (canvas_ui's): outside the fragment that draws,
    since a style element put in again at every stroke has the browser work out the whole
    page's style anew."""
    style(CANVAS_CSS + (PROJECTOR_CSS if width == SIDE else WIDE_CSS), "css_canvas")


def canvas_ui(width: int = SIDE) -> CanvasResult:
    """The canvas, white pen on black, SIDE pixels tall and `width` wide (NUMBER_WIDTH for
    a number), with its tools in a row under it: Undo (the last stroke), Clear, and the
    pen's width. Its CSS is canvas_style(width), on the page."""
    if forgotten(KEY) and (_strokes() or st.session_state.get("draw_start")):
        # Mounted afresh, back from another page: the canvas starts empty, and so does
        # what the page knows of it. (Streamlit forgets a widget's value on a page that
        # does not show it, not the page's own keys.) Only when there is something to
        # empty: the canvas's value is also absent on the run after a reload, and
        # reloading again then wiped each new stroke.
        _reload([])
    surface = st.container()
    with st.container(horizontal=True, key="draw_tools"):
        st.button(
            "Undo", key="draw_undo", on_click=undo, icon=":material/undo:", disabled=not _strokes()
        )
        st.button("Clear", key="draw_clear", on_click=clear, icon=":material/ink_eraser:")
        pen = _pen_width()
    with surface:
        drawn = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=SIDE,
            width=width,
            drawing_mode="freedraw",
            return_image_data=True,
            initial_drawing=_initial_drawing(),
            key=KEY,
            on_change=_drawn,
        )
    keep(KEY)
    return drawn


def canvas_image(canvas: CanvasResult | None, width: int = SIDE) -> np.ndarray | None:
    """The canvas's (280, width, 4) uint8 RGBA pixels, read-only; None before it sends
    any, and for a picture of another width: the last one the canvas sent before the page
    switched between a digit and a number (the canvas sends its cleared one after).

    The same as `canvas.image_data`, decoded once per distinct picture: the canvas sends
    its empty picture twice per digit (Clear, then the cleared canvas), and a PNG decode
    is some 0.7 ms of the server's own work.
    """
    png = canvas.image_bytes if canvas is not None else None
    pixels = _decoded(png) if png is not None else None
    return pixels if pixels is not None and pixels.shape[1] == width else None


@functools.lru_cache(maxsize=4)  # the empty canvas, and a drawing rerun by other widgets
def _decoded(png: bytes) -> np.ndarray:
    pixels = np.array(Image.open(io.BytesIO(png)))
    pixels.flags.writeable = False  # shared by every session that sends the same picture
    return pixels


def _pen_width() -> int:
    """The pen's width in canvas pixels, set in a popover: rarely changed, so it does not
    take a row of a phone's screen."""
    with st.popover("Pen", icon=":material/line_weight:", key="draw_pen_menu"):
        return st.slider(
            "Pen width",
            8,
            40,
            20,
            key="draw_pen",
            help="Thicker pens suit small drawings; 20 fits a digit drawn large.",
        )


def clears() -> int:
    """How many times the canvas was cleared: each Clear starts a new drawing."""
    return st.session_state.get("draw_clears", 0)


def clear() -> None:
    """Empty the canvas; the next drawing is a new one (see clears)."""
    st.session_state["draw_clears"] = clears() + 1
    _reload([])


def undo() -> None:
    """Take the last stroke off the canvas."""
    _reload(_strokes()[:-1])


def _strokes() -> list:
    """The strokes on the canvas as the page last heard of them (Fabric.js objects)."""
    return st.session_state.get("draw_strokes", [])


def _drawn() -> None:
    """The canvas sent a new drawing: keep its strokes, for Undo."""
    drawing = (st.session_state[KEY].get("drawing") or {}).get("raw") or {}
    st.session_state["draw_strokes"] = drawing.get("objects", [])


def _reload(strokes: list) -> None:
    """Put `strokes` back on the canvas in place of what it shows.

    The canvas reloads its `initial_drawing` whenever that changes, so a counter makes
    every Undo and Clear a new one, even of the same strokes. In place rather than by a
    new key: a freshly mounted canvas loads its first drawing asynchronously and wiped
    whatever was drawn meanwhile (on a busy CPU, a stroke made right after Clear was
    lost); in place, the old drawing stays until the new one is ready, which is the cue
    a person waits for. The canvas then sends the reloaded drawing, and the page answers
    for it.
    """
    st.session_state["draw_strokes"] = strokes
    st.session_state["draw_start"] = strokes
    st.session_state["draw_reloads"] = st.session_state.get("draw_reloads", 0) + 1


def _initial_drawing() -> dict:
    return {
        "objects": st.session_state.get("draw_start", []),
        "reloads": st.session_state.get("draw_reloads", 0),
    }
