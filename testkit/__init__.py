"""The test and bench library: what tests/ and bench/ share, nothing the app imports.

- apprunner: start the app (a real server on a free port) and drive its pages in Chromium
- drawers: browser sessions drawing pen digits on the Draw page at once
- light_sessions: Draw-page sessions without a browser, a recorded browser's messages replayed
- pen_replay: real pen digits rendered or placed as canvas drawings, for measuring
- figures: what bench scripts share: a bare fit's speed, training from the Train page, CPU
  and memory readings, the bench/out/*.json files

Installed with the project (pyproject.toml; `make` runs `pip install --no-deps -e .`), so
bench scripts import it from any folder; pytest finds it from the project root.
"""
