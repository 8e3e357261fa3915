"""What storage can hold, and the one place request values are checked against it.

Every id, day, time and cursor a reader sends (site pages, the JSON API, reader APIs,
search cursors) is read here: a value that is not one is ``None`` (the caller decides
what that means), a value beyond what both engines and Python's datetime hold is an
``OutOfRangeError`` that every web layer answers with 400. So ``/days/9999-12-31``, a
cursor with a 20-digit id or ``until=0001-01-01`` never reach a query.
"""

from __future__ import annotations

import datetime as dt
import re

from broadsheet.errors import BroadsheetError

MAX_ID = 2**63 - 1
"""The largest id either engine stores."""
EARLIEST = dt.datetime(1000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
"""Times outside [EARLIEST, LATEST) are refused: far enough from datetime's year 1 and
9999 that adding a day or changing the zone never overflows, wide enough for any archive."""


_INTEGER = re.compile(r"-?[0-9]+")


class OutOfRangeError(BroadsheetError):
    """A request value beyond what Broadsheet stores; answered with 400."""


def check_id(value: int, name: str = "id") -> int:
    """An id as sent, or OutOfRangeError when no database could hold it."""
    if not 0 <= value <= MAX_ID:
        raise OutOfRangeError(f"{name}: {value} is out of range")
    return value


def check_time(value: dt.datetime, name: str = "time") -> dt.datetime:
    """An aware time (naive means UTC) within [EARLIEST, LATEST), else OutOfRangeError."""
    when = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    try:
        inside = EARLIEST <= when < LATEST
    except OverflowError:  # an offset pushing it past what a datetime holds
        inside = False
    if not inside:
        raise OutOfRangeError(f"{name}: {value.isoformat()} is out of range "
                              f"(years {EARLIEST.year} to {LATEST.year - 1})")
    return when


def check_day(value: dt.date, name: str = "day") -> dt.date:
    """A calendar day within the stored range, else OutOfRangeError."""
    check_time(dt.datetime.combine(value, dt.time(), dt.UTC), name)
    return value


def parse_int(text: str | None, name: str = "id") -> int | None:
    """A decimal integer from a request (None when it is not one), range-checked."""
    text = (text or "").strip()
    if not _INTEGER.fullmatch(text):
        return None
    if len(text) > 25:
        raise OutOfRangeError(f"{name}: {text[:25]}… is out of range")
    return check_id(int(text), name)


def parse_day(text: str | None, name: str = "day") -> dt.date | None:
    """A YYYY-MM-DD day from a request (None when it is not one), range-checked."""
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        return None
    return check_day(day, name)


def parse_time(text: str | None, name: str = "time") -> dt.datetime | None:
    """An ISO 8601 time from a request (None when it is not one; naive means UTC),
    range-checked."""
    try:
        when = dt.datetime.fromisoformat((text or "").replace("z", "Z"))
    except ValueError:
        return None
    return check_time(when, name)


def parse_keyset(text: str | None, name: str = "before") -> tuple[dt.datetime, int] | None:
    """A "<time>_<id>" page cursor (None when it is not one), both parts range-checked."""
    stamp, _, ident = (text or "").rpartition("_")
    when = parse_time(stamp, name) if stamp else None
    number = parse_int(ident, name) if when else None
    return None if when is None or number is None else (when, number)


def check_keyset(cursor: tuple[dt.datetime, int], name: str = "cursor"
                 ) -> tuple[dt.datetime, int]:
    """A decoded (time, id) cursor with both parts range-checked."""
    return check_time(cursor[0], name), check_id(cursor[1], name)
