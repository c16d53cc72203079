"""Streamlit building blocks for the pages: widgets (`*_ui`), charts, and shared services."""
