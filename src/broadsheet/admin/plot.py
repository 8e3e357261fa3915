"""Small server-rendered SVG charts for the feed health page (no script, no inline style)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape


def days_back(today: dt.date, count: int = 30) -> list[dt.date]:
    """The last ``count`` days, oldest first, ending today."""
    return [today - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]


def bar_chart(values: list[tuple[str, float]], *, label: str, width: int = 240,
              height: int = 48, unit: str = "", summary: str | None = None) -> Markup:
    """A bar per (day, value), with a title on each bar and an accessible label
    (``summary``, else the total over the days)."""
    top = max((v for _, v in values), default=0) or 1
    step = width / max(len(values), 1)
    bars = []
    for index, (day, value) in enumerate(values):
        bar = round(value / top * (height - 4), 1)
        bars.append(
            f'<rect class="bar" x="{index * step:.1f}" y="{height - bar:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{bar}" fill="currentColor">'
            f"<title>{escape(day)}: {_number(value)}{escape(unit)}</title></rect>")
    total = sum(v for _, v in values)
    said = summary if summary is not None else f"{_number(total)} in {len(values)} days"
    return Markup(
        f'<svg class="plot" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-label="{escape(label)}: {escape(said)}">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" '
        f'stroke="currentColor" stroke-opacity="0.4"/>{"".join(bars)}</svg>')


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def fetch_time_chart(values: list[tuple[str, float | None]]) -> Markup:
    """Mean fetch time per day (days without polls drawn empty), labelled with the
    slowest day."""
    known = [v for _, v in values if v is not None]
    summary = (f"slowest day {max(known):.2f} s, {len(known)} of {len(values)} days polled"
               if known else f"no polls in {len(values)} days")
    return bar_chart([(day, round(v, 3) if v is not None else 0.0) for day, v in values],
                     label="Fetch time", unit=" s", summary=summary)
