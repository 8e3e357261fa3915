"""How times are written on the site: in full, never cut, with their zone."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape


def _zone_name(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None or offset == dt.timedelta(0):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def full_time(value: dt.datetime | None) -> str:
    """'Monday 20 September 2021, 17:40 UTC+02:00': date, year, time and zone."""
    if value is None:
        return ""
    return f"{value:%A} {value.day} {value:%B %Y, %H:%M} {_zone_name(value)}"


def iso_time(value: dt.datetime | None) -> str:
    """ISO 8601 with offset, for ``<time datetime>``."""
    return value.isoformat(timespec="seconds") if value else ""


def time_tag(value: dt.datetime | None) -> Markup:
    """``full_time`` in a ``<time>`` element, its clock and zone kept on one line.

    "UTC-05:00" would otherwise break after its hyphen on a narrow screen, leaving a
    dangling "UTC-" that reads as a different zone.
    """
    if value is None:
        return Markup("")
    day = f"{value:%A} {value.day} {value:%B %Y}"
    clock = f"{value:%H:%M} {_zone_name(value)}"
    return Markup('<time datetime="{}">{}, <span class="clock">{}</span></time>').format(
        iso_time(value), escape(day), escape(clock))
