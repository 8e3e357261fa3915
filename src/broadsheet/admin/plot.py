"""Small server-rendered SVG charts for the feed health page (no script, no inline style).

Charts of one measure share a scale: the feed health page draws every source's
"articles per day" against the same top value, and every "fetch time" against another,
so a tall bar means a big number wherever it is. Each chart labels its axes: the top of
the scale and zero with their unit on the left, the first and last day underneath.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from markupsafe import Markup, escape

_GUTTER = 44   # room for the value labels left of the bars
_BELOW = 12    # room for the day labels under the axis
_FONT = 9


def days_back(today: dt.date, count: int = 30) -> list[dt.date]:
    """The last ``count`` days, oldest first, ending today."""
    return [today - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]


def nice_top(values: Iterable[float | None]) -> float:
    """The top of a scale that holds every value: 1, 2 or 5 times a power of ten."""
    top = max((v for v in values if v is not None), default=0.0)
    if top <= 0:
        return 1
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 5, 10):
        if top <= step * power * (1 + 1e-9):
            scaled = step * power
            return int(scaled) if scaled >= 1 else scaled
    return 10 * power  # not reached


def bar_chart(values: list[tuple[str, float]], *, label: str, width: int = 240,
              height: int = 48, unit: str = "", summary: str | None = None,
              top: float | None = None) -> Markup:
    """A bar per (day, value) against a scale from 0 to ``top`` (by default the values'
    own ``nice_top``), with both axes labelled, a title on each bar and an accessible label
    (``summary``, else the total over the days)."""
    top = top or nice_top(v for _, v in values)
    step = width / max(len(values), 1)
    bars = []
    for index, (day, value) in enumerate(values):
        bar = round(min(value, top) / top * (height - 4), 1)
        bars.append(
            f'<rect class="bar" x="{_GUTTER + index * step:.1f}" y="{height - bar:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{bar}" fill="currentColor">'
            f"<title>{escape(day)}: {_number(value)}{escape(unit)}</title></rect>")
    total = sum(v for _, v in values)
    said = summary if summary is not None else f"{_number(total)} in {len(values)} days"
    first, last = (values[0][0], values[-1][0]) if values else ("", "")
    scale = f"scale 0 to {_number(top)}{unit}"
    full = _GUTTER + width
    axes = (
        f'<line x1="{_GUTTER}" y1="{height - 0.5}" x2="{full}" y2="{height - 0.5}" '
        f'stroke="currentColor" stroke-opacity="0.4"/>'
        f'<line x1="{_GUTTER - 0.5}" y1="4" x2="{_GUTTER - 0.5}" y2="{height}" '
        f'stroke="currentColor" stroke-opacity="0.4"/>'
        f'<g class="axis" font-size="{_FONT}" fill="currentColor">'
        f'<text class="y-top" x="{_GUTTER - 3}" y="{4 + _FONT - 2}" text-anchor="end">'
        f"{escape(_number(top))}{escape(unit)}</text>"
        f'<text class="y-zero" x="{_GUTTER - 3}" y="{height}" text-anchor="end">0</text>'
        f'<text class="x-first" x="{_GUTTER}" y="{height + _BELOW - 1}">{escape(first)}</text>'
        f'<text class="x-last" x="{full}" y="{height + _BELOW - 1}" text-anchor="end">'
        f"{escape(last)}</text></g>")
    total_height = height + _BELOW
    return Markup(
        f'<svg class="plot" role="img" viewBox="0 0 {full} {total_height}" width="{full}" '
        f'height="{total_height}" aria-label="{escape(label)}: {escape(said)} '
        f'({escape(scale)}, {escape(first)} to {escape(last)})">'
        f'{axes}{"".join(bars)}</svg>')


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return str(int(value))
    return f"{value:.2f}"


def fetch_time_chart(values: list[tuple[str, float | None]], *,
                     top: float | None = None) -> Markup:
    """Mean fetch time per day in seconds (days without polls drawn empty), labelled with
    the slowest day; ``top`` is the shared scale, in seconds."""
    known = [v for _, v in values if v is not None]
    summary = (f"slowest day {max(known):.2f} s, {len(known)} of {len(values)} days polled"
               if known else f"no polls in {len(values)} days")
    return bar_chart([(day, round(v, 3) if v is not None else 0.0) for day, v in values],
                     label="Fetch time", unit=" s", summary=summary, top=top)
