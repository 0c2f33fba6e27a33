"""A stacked bar chart as server-side SVG: one bar per day, one segment per series.

Drawn on the server so the page needs no script and no chart library, works under the
moderator pages' CSP (presentation attributes, no inline style) and scales with the page
(``viewBox``). Every segment has a ``<title>`` (hover and screen readers); the page shows the
same numbers in a table beside it for keyboard and screen-reader users.
"""

from __future__ import annotations

import math
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k (at least 1) that is ≥ ``value``."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def stacked_bars(days: list[date], series: dict[str, list[int]], colors: dict[str, str],
                 label: str) -> Markup:
    """The chart of ``series`` (name → one value per day, stacked in the given order)."""
    peak = nice_ceiling(max((sum(values) for values in zip(*series.values())), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(label)}</title>"]
    for tick in (0, peak // 2 if peak > 1 else None, peak):
        if tick is None:
            continue
        y = TOP + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#dde1e8" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="13" fill="#5b6475">{tick}</text>')
    for index, day in enumerate(days):
        x, bottom = LEFT + index * slot + slot * 0.1, TOP + plot_h
        for name, values in series.items():
            value = values[index]
            if not value:
                continue
            height = plot_h * value / peak
            bottom -= height
            parts.append(f'<rect x="{x:.1f}" y="{bottom:.1f}" width="{slot * 0.8:.1f}" '
                         f'height="{height:.1f}" fill="{colors[name]}"><title>'
                         f'{day.isoformat()}: {value} {escape(name)}</title></rect>')
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(f'<text x="{x + slot * 0.4:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
                         f'font-size="13" fill="#5b6475">{day:%m-%d}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
