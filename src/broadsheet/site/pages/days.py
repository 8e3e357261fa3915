"""The archive: one page per calendar day in the site's zone."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.site.paging import PAGE_SIZE, cursor, next_cursor, parse_day
from broadsheet.site.render import site_of
from broadsheet.store import articles as article_store


def day_page(request: Request, day: str, before: str | None = None) -> Response:
    """``/days/{YYYY-MM-DD}``: that day's articles, with links to the days around it."""
    site = site_of(request)
    when = parse_day(day)
    if when is None:
        raise StarletteHTTPException(404)
    start, end = site.day_bounds(when)
    items = article_store.articles_between(site.db, start, end, PAGE_SIZE,
                                           before=cursor(before))
    today = dt.datetime.now(site.zone).date()
    return site.page(request, "day.html", title=f"{when:%A} {when.day} {when:%B %Y}",
                     day=when, articles=items, next_cursor=next_cursor(items),
                     previous=when - dt.timedelta(days=1),
                     following=when + dt.timedelta(days=1) if when < today else None)


def days_index(request: Request) -> Response:
    """``/days``: today's page."""
    today = dt.datetime.now(site_of(request).zone).date()
    return RedirectResponse(f"/days/{today.isoformat()}", 302)
