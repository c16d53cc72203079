"""Charts shared by the pages: one bar per digit, as HTML (the Draw page's probabilities,
the Evaluate page's accuracy per digit)."""

from __future__ import annotations

import numpy as np

BEST_COLOUR, OTHER_COLOUR = "#ff4b4b", "#9aa5b1"


def digit_bars(
    values,
    domain=(0.0, 1.0),
    value_format="{:.0%}",
    highlight_best: bool = True,
    height: int = 180,
) -> str:
    """HTML: one bar per digit 0-9 in order, each labelled with its value, the largest
    highlighted; bar heights run from `domain[0]` (none) to `domain[1]` (full).

    Plain HTML rather than a Vega-Lite chart: the Draw page redraws it after every stroke,
    and in Chromium a chart cost the page about 15-40 ms of its main thread per stroke,
    and appeared after the answer rather than with it.
    """
    values = np.asarray(values, np.float64)
    best = int(np.nanargmax(values))
    low, high = domain
    columns = []
    for digit, value in enumerate(values):
        is_best = highlight_best and digit == best
        share = 0.0 if np.isnan(value) else float(np.clip((value - low) / (high - low), 0, 1))
        label = "" if np.isnan(value) else value_format.format(value)
        columns.append(
            f'<div data-digit="{digit}" data-best="{str(is_best).lower()}" '
            f'title="{digit}: {label}" style="flex:1;display:flex;flex-direction:column;'
            'justify-content:flex-end;align-items:center;height:100%;min-width:0">'
            f'<div style="font-size:0.8rem;opacity:0.8;white-space:nowrap">{label}</div>'
            f'<div style="width:72%;height:{share * 100:.1f}%;min-height:1px;border-radius:3px '
            f'3px 0 0;background:{BEST_COLOUR if is_best else OTHER_COLOUR}"></div>'
            f'<div style="font-weight:{700 if is_best else 400}">{digit}</div></div>'
        )
    return (
        f'<div class="digit-bars" style="display:flex;gap:4px;height:{height}px">'
        + "".join(columns)
        + "</div>"
    )
