"""mnist-canvas: train a handwritten-digit classifier, then draw digits and watch it read them.

Run with `make run` (or `streamlit run app.py`). This file only sets up navigation;
each page lives in app_pages/ (named so that Streamlit does not switch to its legacy
pages/-folder navigation when the first visitor opens /draw directly).
"""

import streamlit as st

from ui.layout import page_style, phone_navigation
from ui.services import memory_cleaning, prediction_worker, sockets_without_delay

st.set_page_config(page_title="mnist-canvas", page_icon="✏️", layout="wide")

draw = st.Page("app_pages/draw.py", title="Draw", icon=":material/draw:", url_path="draw")
train = st.Page(
    "app_pages/train.py", title="Train", icon=":material/model_training:", url_path="train"
)
evaluate = st.Page(
    "app_pages/evaluate.py", title="Evaluate", icon=":material/analytics:", url_path="evaluate"
)
# The landing page forwards to Draw: a default page is served at "/" only, and the Draw
# page must keep its own address, /draw, for links and tools.
landing = st.Page(
    lambda: st.switch_page(draw), title="Start", url_path="start", default=True, visibility="hidden"
)

page_style()
phone_navigation([draw, train, evaluate])
sockets_without_delay()  # before any answer: see server/nodelay.py
memory_cleaning()  # a crowd's memory goes back once it has left: see server/memory.py
prediction_worker()  # start TensorFlow in its own process while the first page renders
st.navigation([landing, draw, train, evaluate], position="top").run()
