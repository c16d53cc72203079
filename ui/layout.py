"""Page CSS for every page: the layout of a narrow screen (a phone held upright).

Streamlit cannot know the screen's width on the server, so the phone layout is CSS in a
media query: the same page, tightened so that the Draw page's canvas and answer share one
screen, and nothing on any page is wider than the screen.
"""

import streamlit as st

PHONE_WIDTH = 480  # px: screens this wide or narrower get the phone layout

PAGE_CSS = f"""<style>
@media (max-width: {PHONE_WIDTH}px) {{
  /* the fixed header is 3.75rem tall; Streamlit leaves 6rem above the title */
  [data-testid="stMainBlockContainer"] {{ padding-top: 4.25rem; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 1.75rem; padding: 0.25rem 0; }}
  /* columns stack on a phone, and the gap between them stayed as wide as beside */
  [data-testid="stHorizontalBlock"] {{ row-gap: 1rem; }}
  /* rows of 8 pictures (galleries, feature maps) wrap 4 to a row instead of 1 */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(8))
    > [data-testid="stColumn"] {{ min-width: calc(25% - 0.75rem); }}
  /* pills wrap instead of scrolling sideways, which hid the Draw page's 9 */
  [data-testid="stButtonGroup"] > div {{ flex-wrap: wrap; }}
  /* the Draw page's model picker follows the drawing, which takes the screen */
  [data-testid="stLayoutWrapper"]:has(> .st-key-draw_settings) {{ order: 1; }}
}}
</style>"""


def page_style() -> None:
    st.html(PAGE_CSS)


def lazy_expander(label: str, icon: str, key: str):
    """An expander whose contents are worked out only while it is open (check `.open`):
    opening or closing it reruns the page, so a closed one costs nothing per stroke. Its
    label must stay the same: Streamlit makes an expander anew, closed, when it changes."""
    return st.expander(label, icon=f":material/{icon}:", key=key, on_change="rerun")
