"""The room's knee as an SVG drawn by hand (no plotting package in the project): p95 from
mouse-up to the answer, the share of drawings answered, and the digits answered per
second against those asked for, against the number of sessions, with the 500 ms target
marked."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

WIDTH, PANEL_HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 46, 44


@dataclass(frozen=True)
class KneePoint:
    sessions: int
    p95_ms: float | None  # None when nothing was answered
    answered_share: float  # 0-1
    digits_per_second: float = 0.0  # answered, all sessions together


@dataclass(frozen=True)
class Panel:
    title: str
    values: list[float | None]
    top: float  # the y axis runs from 0 to this
    ticks: list[float]
    label: str  # format of a tick, e.g. "{:.0f} ms"
    line_at: float | None = None  # a target, dashed
    line_label: str = ""


def _panel(y0: int, panel: Panel, xs: list[int], x_of) -> list[str]:
    inner = PANEL_HEIGHT - TOP - BOTTOM

    def y_of(v: float) -> float:
        return y0 + TOP + inner * (1 - min(v, panel.top) / panel.top)

    out = [
        f'<text x="{LEFT}" y="{y0 + 20}" font-weight="bold">{escape(panel.title)}</text>',
        f'<line x1="{LEFT}" y1="{y0 + TOP + inner}" x2="{WIDTH - RIGHT}" '
        f'y2="{y0 + TOP + inner}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{y0 + TOP}" x2="{LEFT}" y2="{y0 + TOP + inner}" stroke="#333"/>',
    ]
    for tick in panel.ticks:
        y = y_of(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(panel.label.format(tick))}</text>"
        )
    for x in xs:
        out.append(
            f'<text x="{x_of(x):.1f}" y="{y0 + TOP + inner + 16}" text-anchor="middle" '
            f'font-size="11">{x}</text>'
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{y0 + PANEL_HEIGHT - 8}" '
        'text-anchor="middle" font-size="11">sessions (a digit every 2 s each)</text>'
    )
    if panel.line_at is not None:
        y = y_of(panel.line_at)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#ff4b4b" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{y - 5:.1f}" text-anchor="end" font-size="11" '
            f'fill="#ff4b4b">{escape(panel.line_label)}</text>'
        )
    points = [(x_of(x), y_of(v), v) for x, v in zip(xs, panel.values) if v is not None]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for x, y, v in points:
        clipped = " ↑" if v > panel.top else ""  # off the scale: the value says how far
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1f77b4"/>'
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="10">'
            f"{escape(panel.label.format(v))}{clipped}</text>"
        )
    return out


def knee_svg(
    points: list[KneePoint], limit_ms: float = 500, machine: str = "", period_s: float = 2.0
) -> str:
    """Three panels, one above the other, per session count: p95 (ms), the share of
    drawings answered (%), and digits answered per second."""
    xs = [p.sessions for p in points]
    span = max(max(xs) - min(xs), 1)

    def x_of(x: float) -> float:
        return LEFT + 20 + (WIDTH - LEFT - RIGHT - 40) * (x - min(xs)) / span

    p95s = [p.p95_ms for p in points]
    top = 4 * limit_ms
    panels = [
        Panel(
            "p95, mouse-up → answer (canvas's 200 ms wait included)",
            p95s,
            top,
            [0, limit_ms, 2 * limit_ms, 3 * limit_ms, top],
            "{:.0f} ms",
            limit_ms,
            f"target {limit_ms:.0f} ms",
        ),
        Panel(
            "drawings answered",
            [100 * p.answered_share for p in points],
            100,
            [0, 25, 50, 75, 100],
            "{:.0f}%",
        ),
        Panel(
            f"digits drawn per second, all together (asked: sessions / {period_s:g} s)",
            [p.digits_per_second for p in points],
            max(xs) / period_s,
            [round(max(xs) / period_s * k / 4) for k in range(5)],
            "{:.0f}",
        ),
    ]
    body = []
    for k, panel in enumerate(panels):
        body += _panel(k * PANEL_HEIGHT, panel, xs, x_of)
    height = len(panels) * PANEL_HEIGHT + (20 if machine else 0)
    if machine:
        body.append(
            f'<text x="{LEFT}" y="{height - 6}" font-size="11" fill="#666">{escape(machine)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">'
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>' + "".join(body) + "</svg>"
    )


def write_knee_svg(points: list[KneePoint], path: Path, **options) -> None:
    Path(path).write_text(knee_svg(points, **options))
