"""Page CSS for every page: the layouts of a narrow screen (a phone held upright) and of
a short wide one (a classroom projector, 1366×768).

Streamlit cannot know the screen's width on the server, so the phone layout is CSS in a
media query: the same page, tightened so that the Draw page's canvas and answer share one
screen, and nothing on any page is wider than the screen.
"""

import streamlit as st

PHONE_WIDTH = 480  # px: screens this wide or narrower get the phone layout
SHORT_HEIGHT = 860  # px: wider screens this tall or shorter get the projector's layout

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
  /* the Draw page's model picker follows the drawing, which takes the screen; its
     introduction (five lines here) gives its room to the One digit | A number switch,
     whose row put the answer below a phone's fold */
  [data-testid="stLayoutWrapper"]:has(> .st-key-draw_settings) {{ order: 1; }}
  [data-testid="stLayoutWrapper"]:has(> .st-key-draw_intro) {{ display: none; }}
  /* The pages as links in the header (phone_navigation), instead of Streamlit's menu
     there, which stayed open over the page after a page was tapped. */
  [data-testid="stExpandSidebarButton"], [data-testid="stSidebar"] {{ display: none; }}
  .st-key-phone_nav {{
    position: fixed; top: 0; left: 0; height: 3.75rem; z-index: 999991;
    padding: 0 0.5rem; align-items: center;
  }}
  /* A toast lies over the canvas's top ("Saved as a 6 … Draw the next one"): a finger
     that began the next digit there touched the toast, not the canvas, and the stroke
     was lost (a sideways one even went back a page). Touches pass through it. */
  [data-testid="stToastContainer"], [data-testid="stToastContainer"] * {{ pointer-events: none; }}
}}
@media (min-width: {PHONE_WIDTH + 1}px) {{
  /* its wrapper too: an empty one would still take a gap above every page's title */
  [data-testid="stLayoutWrapper"]:has(> .st-key-phone_nav) {{ display: none; }}
}}
/* the boxes that hold the pages' CSS (style): hidden, their styles still apply */
[class*="st-key-css_"], [data-testid="stLayoutWrapper"]:has(> [class*="st-key-css_"]) {{
  display: none;
}}
/* A short, wide screen: a classroom projector's 1366×768, a laptop's. The Draw page's
   canvas (sized in ui/canvas.py), its answer with the ten bars and the correction row
   share the screen: the title tightened, the introduction and the bars' note left out
   (the step-by-step explainer says the same), the bars and the 28×28 preview smaller. */
@media (min-width: {PHONE_WIDTH + 1}px) and (max-height: {SHORT_HEIGHT}px) {{
  [data-testid="stMainBlockContainer"] {{ padding-top: 4.25rem; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 2rem; padding: 0.25rem 0; }}
  [data-testid="stLayoutWrapper"]:has(> .st-key-draw_intro),
  .draw-bars-note {{ display: none; }}
  .st-key-draw_answer figure, .st-key-draw_answer img {{
    width: 8rem !important; height: 8rem !important;
  }}
  .st-key-draw_answer figure {{ height: auto !important; }}
  .digit-bars {{ height: 7.5rem !important; }}
}}
/* Links drawn as buttons (link_action): the size, colours and place in a row of
   Streamlit 1.67's own buttons in its default theme (this app sets no theme), read from
   their computed style. */
[class*="_primary_link"] a, [class*="_secondary_link"] a {{
  justify-content: center; min-height: 2.5rem; padding: 0.25rem 0.75rem; margin-top: 6px;
  border: 1px solid rgb(220, 216, 212); border-radius: 0.5rem;
}}
[class*="_primary_link"] a {{ background: rgb(197, 57, 72); border-color: rgb(197, 57, 72); }}
[class*="_primary_link"] a:hover {{ background: rgb(138, 40, 50); }}
[class*="_primary_link"] a, [class*="_primary_link"] a * {{ color: white !important; }}
</style>"""


def page_style() -> None:
    style(PAGE_CSS, "css_page")


def style(css: str, key: str) -> None:
    """Put `css` (<style> tags) on the page, in the main container in a hidden box keyed
    `key` (css_…, hidden by PAGE_CSS). Not st.html's way for style tags alone: it sends
    them to the event container, which a fragment's run that shows a toast empties, and
    the page then lost its layout until its next full run (after a saved correction:
    the phone's page links over a desktop's page, the projector's canvas size gone)."""
    with st.container(key=key):
        st.html(css + "<div hidden></div>")  # something besides style: the main container


def phone_navigation(pages) -> None:
    """The pages as a row of links, shown in the header on a phone only (PAGE_CSS): one
    tap changes page and nothing is left open over it. Desktops keep the top navigation."""
    with st.container(horizontal=True, key="phone_nav", gap="small"):
        for page in pages:
            st.page_link(page, label=page.title, icon=page.icon)


def lazy_expander(label: str, icon: str, key: str):
    """An expander whose contents are worked out only while it is open (check `.open`):
    opening or closing it reruns the page, so a closed one costs nothing per stroke. Its
    label must stay the same: Streamlit makes an expander anew, closed, when it changes."""
    return st.expander(label, icon=f":material/{icon}:", key=key, on_change="rerun")


def action(place, label: str, key: str, icon: str, on_click, *args, primary=False) -> None:
    """A button in `place` (st, or a column): `key` names it (tests find it as
    .st-key-KEY), `icon` is a Material icon's name, a click calls on_click(*args); the
    primary one is the suggested next step."""
    place.button(
        label,
        key=key,
        type="primary" if primary else "secondary",
        icon=f":material/{icon}:",
        on_click=on_click,
        args=args,
    )


def link_action(
    place, label: str, key: str, icon: str, page: str, query_params=None, primary=False
):
    """Like `action`, for a step that opens another page: a link to `page` (with
    `query_params` in its address), drawn as a button (PAGE_CSS); tests find it as
    .st-key-KEY a. The browser changes page itself, and first stops the timed reruns of
    the page it leaves: st.switch_page from a fragment that reruns every few seconds left
    the next page empty now and then (docs/benchmarks.md, "Draw with this model")."""
    style = "primary" if primary else "secondary"
    with place.container(key=key), st.container(key=f"{key}_{style}_link"):
        st.page_link(page, label=label, icon=f":material/{icon}:", query_params=query_params)
