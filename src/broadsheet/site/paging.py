"""Page sizes and the ``?before=`` cursors of the site's article lists."""

from __future__ import annotations

import datetime as dt

from broadsheet.store import bounds
from broadsheet.store.articles import StoredArticle

PAGE_SIZE = 30
FEED_SIZE = 50


def cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    """The (published, id) a list continues before; None for the first page."""
    return bounds.parse_keyset(value, "before")


def next_cursor(items: list[StoredArticle], size: int = PAGE_SIZE) -> str | None:
    """The cursor of the page after ``items``, or None when this page is the last."""
    if len(items) < size:
        return None
    last = items[-1]
    return f"{last.published.isoformat()}_{last.id}"


def parse_day(value: str | None, name: str = "day") -> dt.date | None:
    """A calendar day from the request (``YYYY-MM-DD``); None when absent."""
    return bounds.parse_day(value, name) if value else None
