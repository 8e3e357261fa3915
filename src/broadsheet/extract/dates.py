"""Publication dates: parsing the many spellings pages use, always tz-aware.

A time without zone is taken as UTC; a date alone as midnight UTC. The original
offset is kept (not converted) so the calendar day stays the one the page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)")
_URL_COMPACT = re.compile(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/")
_ISO_FIX = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([+-]\d{2})(\d{2})$")
_EARLIEST = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)


def parse_date(value: str | None) -> dt.datetime | None:
    """Parse an ISO 8601, RFC 2822 or epoch value into an aware datetime, or None."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    parsed = _parse_iso(value) or _parse_rfc2822(value) or _parse_epoch(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    return parsed if _EARLIEST <= parsed <= now else None


def _parse_iso(value: str) -> dt.datetime | None:
    text = value.replace("Z", "+00:00").replace("z", "+00:00")
    text = _ISO_FIX.sub(r"\1\2:\3", text)
    if " " in text and "T" not in text and re.match(r"^\d{4}-\d{2}-\d{2} \d", text):
        text = text.replace(" ", "T", 1)
    text = text.replace(" +", "+").replace(" -", "-") if "T" in text else text
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", value)
    if match:
        try:
            return dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
        except ValueError:
            return None
    return None


def _parse_rfc2822(value: str) -> dt.datetime | None:
    if not re.search(r"[A-Za-z]{3}", value):
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_epoch(value: str) -> dt.datetime | None:
    if not re.fullmatch(r"\d{10}(\d{3})?", value):
        return None
    seconds = int(value) / (1000 if len(value) == 13 else 1)
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def date_from_url(url: str | None) -> dt.datetime | None:
    """Return the date written in an address like ``/2024/05/06/slug``, or None."""
    if not url:
        return None
    match = _URL_DATE.search(url) or _URL_COMPACT.search(url)
    if not match:
        return None
    try:
        return dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
    except ValueError:
        return None
