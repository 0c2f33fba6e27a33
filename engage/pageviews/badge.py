"""The "views │ 1.2k" SVG badge: number formatting and drawing (pure functions).

Numbers are cut, never rounded up, so a badge never claims more than was counted:
999 → "999", 1,234 → "1.2k", 12,345 → "12.3k", 123,456 → "123k", 3,400,000 → "3.4M".
The SVG carries ``role="img"``, an ``aria-label`` and a ``<title>`` with the exact number, so
screen readers and hover tooltips say "1,234 views".
"""

from __future__ import annotations

from html import escape

_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"))
_CHAR_WIDTH = 6.6   # average advance of 11px Verdana, as badge makers assume
_PADDING = 6


def format_count(count: int) -> str:
    """A short human form of a non-negative count (see the module docstring)."""
    count = max(0, int(count))
    for size, suffix in _UNITS:
        if count >= size:
            tenths = count * 10 // size           # truncated to one decimal
            if tenths >= 1000:                     # 100 and more: no decimal
                return f"{tenths // 10}{suffix}"
            whole, decimal = divmod(tenths, 10)
            return f"{whole}.{decimal}{suffix}" if decimal else f"{whole}{suffix}"
    return str(count)


def _width(text: str) -> int:
    return int(len(text) * _CHAR_WIDTH + 2 * _PADDING + 0.5)


def badge_svg(count: int, label: str = "views") -> str:
    """A flat two-part badge: ``label`` on grey, the formatted ``count`` on blue."""
    value = format_count(count)
    noun = label[:-1] if count == 1 and label.endswith("s") else label
    title = f"{count:,} {noun}"
    left, right = _width(label), _width(value)
    total = left + right
    label_e, value_e, title_e = escape(label), escape(value), escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'viewBox="0 0 {total} 20" role="img" aria-label="{title_e}">'
        f"<title>{title_e}</title>"
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="#0969da"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        f'font-size="11" aria-hidden="true">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{value_e}</text></g></svg>'
    )
