"""Feed timestamps: many spellings in, aware datetimes out, the original offset kept."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

# Zone abbreviations seen in feeds that RFC 822 parsing does not know.
_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 330, "CET": 60,
    "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "JST": 540,
    "KST": 540, "AEST": 600, "AEDT": 660, "ACST": 570, "AWST": 480, "NZST": 720, "NZDT": 780,
}
_IANA_AT_END = re.compile(r"\s([A-Za-z]+(?:/[A-Za-z0-9_+-]+)+)$")
_ZONE_AT_END = re.compile(r"\s([A-Z]{1,5})$")
_COLON_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)$")
_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?=[\s-])", re.I)
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _with_zone(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _sensible(value: dt.datetime | None) -> dt.datetime | None:
    """Dates before 1900 are nonsense in a feed (and overflow some conversions)."""
    if value is None:
        return None
    try:
        return value if value >= _EARLIEST else None
    except OverflowError:
        return None


def _in_iana_zone(text: str, match: re.Match[str]) -> dt.datetime | None:
    """A time followed by an IANA zone name ('... 04:00:00 Europe/Paris'), read in that
    zone; None when the name or the time is unknown (never misread as UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(match.group(1))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    local = parse_date(text[: match.start()] + " +0000")
    return None if local is None else _sensible(local.replace(tzinfo=zone))


def _named_zone(text: str) -> str:
    match = _ZONE_AT_END.search(text)
    if match and match.group(1) in _ZONES:
        minutes = _ZONES[match.group(1)]
        sign = "+" if minutes >= 0 else "-"
        return text[: match.start()] + f" {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return text


_RFC822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d\d):(\d\d)(?::(\d\d))?"
    r" (?:([+-])(\d\d)(\d\d)|GMT|UTC?|Z)$")
_MONTH_NUMBERS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}


def _common_rfc822(text: str) -> dt.datetime | None:
    """The spelling nearly every RSS feed uses, read without the general machinery."""
    match = _RFC822.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    number = _MONTH_NUMBERS.get(month.lower())
    if number is None:
        return None
    offset = dt.timedelta(hours=int(zh or 0), minutes=int(zm or 0))
    zone = dt.timezone(-offset if sign == "-" else offset) if sign else dt.UTC
    try:
        return dt.datetime(int(year), number, int(day), int(hour), int(minute),
                           int(second or 0), tzinfo=zone)
    except ValueError:
        return None


def parse_date(raw: str | None) -> dt.datetime | None:
    """Parse an RFC 822 or ISO 8601 timestamp; None when it makes no sense.

    A timestamp without a zone is taken as UTC; the zone written in the feed is kept.
    """
    if not raw:
        return None
    text = " ".join(str(raw).split())[:100]
    if not text:
        return None
    fast = _common_rfc822(text)
    if fast is not None:
        return _sensible(fast)
    iana = _IANA_AT_END.search(text) if "/" in text else None
    if iana is not None:
        return _in_iana_zone(text, iana)
    text = _named_zone(text)
    iso = text.replace("z", "Z")
    if "-" in iso[:10] and (" +" in iso or " -" in iso[10:]):
        iso = iso.replace(" +", "+").replace(" -", "-")
    try:
        return _sensible(_with_zone(dt.datetime.fromisoformat(
            iso.replace(" ", "T", 1) if "-" in iso[:10] else iso)))
    except ValueError:
        pass
    text = _MONTHS.sub(lambda m: m.group(1).title(), text)
    text = _COLON_OFFSET.sub(r"\1\2\3", text)
    try:
        return _sensible(_with_zone(parsedate_to_datetime(text)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def clamp_date(value: dt.datetime | None, seen: dt.datetime) -> dt.datetime:
    """A missing date becomes the time first seen; a future one is clamped to it."""
    if value is None or value > seen:
        return seen
    return value


def offset_minutes(value: dt.datetime | None) -> int | None:
    """Minutes east of UTC in which a timestamp was written."""
    if value is None or value.utcoffset() is None:
        return None
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)
