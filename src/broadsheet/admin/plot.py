"""Small server-rendered SVG charts for the feed health page (no script, no inline style)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape


def days_back(today: dt.date, count: int = 30) -> list[dt.date]:
    """The last ``count`` days, oldest first, ending today."""
    return [today - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]


def bar_chart(values: list[tuple[str, int]], *, label: str, width: int = 240,
              height: int = 48) -> Markup:
    """A bar per (day, count), with a title on each bar and an accessible label."""
    top = max((v for _, v in values), default=0) or 1
    step = width / max(len(values), 1)
    bars = []
    for index, (day, value) in enumerate(values):
        bar = round(value / top * (height - 4), 1)
        bars.append(
            f'<rect class="bar" x="{index * step:.1f}" y="{height - bar:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{bar}" fill="currentColor">'
            f"<title>{escape(day)}: {value}</title></rect>")
    total = sum(v for _, v in values)
    return Markup(
        f'<svg class="plot" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-label="{escape(label)}: {total} in {len(values)} days">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" '
        f'stroke="currentColor" stroke-opacity="0.4"/>{"".join(bars)}</svg>')
