"""Search: the form and its results, and the same results as a feed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.errors import SearchBudgetError, SearchSyntaxError
from broadsheet.site.paging import FEED_SIZE, parse_day
from broadsheet.site.render import Site, site_of
from broadsheet.store import bounds
from broadsheet.store import sources as source_store
from broadsheet.store.search import search_articles


def search(request: Request) -> Response:
    """``/search?q=``: the form, the hits and the next page's address."""
    site = site_of(request)
    found = _search(site, request, 20)
    form = found["form"]
    query = urlencode({k: v for k, v in form.items() if v})
    next_url = None
    if found["page"] and found["page"].next_cursor:
        next_url = "/search?" + urlencode({**{k: v for k, v in form.items() if v},
                                           "cursor": found["page"].next_cursor})
    title = f"Search: {form['q']}" if form["q"] else "Search"
    return site.page(request, "search.html", status=found.pop("status"),
                     title=title, sources=source_store.list_sources(site.db), next_url=next_url,
                     feeds=site.feed_links("/search", title, f"?{query}") if query else [],
                     **found)


def search_feed(request: Request, fmt: str) -> Response:
    """``/search/feed.{fmt}?q=``: the first hits as a feed."""
    site = site_of(request)
    found = _search(site, request, FEED_SIZE)
    if found["error"] or not found["page"]:
        raise StarletteHTTPException(found["status"] if found["error"] else 400,
                                     found["error"] or "Give a query with ?q=")
    items = [hit.article for hit in found["page"].hits]
    return site.feed(request, fmt, f"Search: {found['form']['q']}", "/search", items,
                     f"Articles matching {found['form']['q']}.")


def _search(site: Site, request: Request, limit: int) -> dict[str, Any]:
    """The form as given, and the page of hits or the error that stopped the search."""
    params = request.query_params
    text = params.get("q", "").strip()
    source_id = params.get("source", "")
    since = parse_day(params.get("since"), "since")
    until = parse_day(params.get("until"), "until")
    language = params.get("lang", "").strip() or None
    form = {"q": text, "source": source_id, "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "", "lang": language or ""}
    result: dict[str, Any] = {"form": form, "page": None, "error": None, "status": 200}
    if not text:
        return result
    try:
        result["page"] = search_articles(
            site.db, text, source_id=bounds.parse_int(source_id, "source"),
            since=site.day_bounds(since)[0] if since else None,
            until=site.day_bounds(until)[1] if until else None,
            language=language, limit=limit, cursor=params.get("cursor"))
    except (SearchSyntaxError, SearchBudgetError) as error:
        result["error"] = str(error).removeprefix("search: ")
        result["status"] = 503 if isinstance(error, SearchBudgetError) else 400
    return result
