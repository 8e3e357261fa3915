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
        # "July 17, 2025" in a meta tag: a written date that is the whole value.
        return date_in_text(value) if len(value) <= 40 else None
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
            year, month, day = map(int, match.groups())
            return dt.datetime(year, month, day, tzinfo=dt.UTC)
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
        year, month, day = map(int, match.groups())
        return dt.datetime(year, month, day, tzinfo=dt.UTC)
    except ValueError:
        return None


_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for m in names}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WRITTEN_DATES = (
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b", re.IGNORECASE),
     ("month", "day", "year")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+((?:19|20)\d{2})\b",
                re.IGNORECASE), ("day", "month", "year")),
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"), ("year", "month", "day")),
)


def date_in_text(text: str) -> dt.datetime | None:
    """Return the first date written out in ``text`` ("Aug 19, 2025", "19 August 2025")."""
    best: tuple[int, dt.datetime] | None = None
    for pattern, order in _WRITTEN_DATES:
        match = pattern.search(text)
        if not match or (best and match.start() >= best[0]):
            continue
        parts = dict(zip(order, match.groups()))
        month = parts["month"]
        month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
        try:
            found = dt.datetime(int(parts["year"]), month_number or 0, int(parts["day"]),
                                tzinfo=dt.UTC)
        except ValueError:
            continue
        if _EARLIEST <= found <= dt.datetime.now(dt.UTC) + dt.timedelta(days=2):
            best = (match.start(), found)
    return best[1] if best else None
