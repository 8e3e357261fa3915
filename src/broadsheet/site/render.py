"""How the site renders: templates, the page header, outgoing feeds, caches.

``Site`` is the site's one shared object. ``broadsheet.web`` builds it once per
application and keeps it on ``app.state.site``; the page handlers in ``site/pages/``
reach it with ``site_of(request)``. Every page and feed answers conditional GETs
(``conditional.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.fetch import FetchConfig
from broadsheet.site import feeds as feed_out
from broadsheet.site.conditional import MicroCache, conditional
from broadsheet.site.formatting import full_time, iso_time, time_tag
from broadsheet.site.popularity import ViewCounter
from broadsheet.site.weather import Weather
from broadsheet.store import Database
from broadsheet.store.articles import StoredArticle

HERE = Path(__file__).parent
STATIC = HERE / "static"
"""The site's static files, served at ``/static``."""
HTML = "text/html; charset=utf-8"
FRONT_CACHE_SECONDS = 5.0
ARTICLE_CACHE_SECONDS = 30.0
"""Article pages are also keyed by the data version; the time limit bounds what it misses
(an outlet profile edited, another article deleted)."""
ARTICLE_CACHE_SIZE = 2048


def path_part(value: str) -> str:
    """``value`` quoted to be one segment of a path (a tag with a slash stays one)."""
    return quote(value, safe="")


def _templates() -> Environment:
    # Compiled once per process: no stat() of the template files on every page.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), auto_reload=False,
                      autoescape=select_autoescape(["html", "xml"]))
    env.filters["full_time"] = full_time
    env.filters["iso_time"] = iso_time
    env.filters["path_part"] = path_part
    return env


class Site:
    """Renders pages from the store with the site's settings."""

    def __init__(self, db: Database, settings: Any, weather: Weather | None = None):
        self.db = db
        self.settings = settings
        self.env = _templates()
        self.zone = ZoneInfo(settings.timezone)
        # Lists and story timelines put times from many outlets side by side: one zone, the
        # site's, so their order reads forwards. An article's own page keeps its outlet's.
        self.env.filters["site_time"] = lambda value: time_tag(
            value.astimezone(self.zone) if value is not None else None)
        self.env.filters["time_tag"] = time_tag
        self.weather = weather or Weather(
            settings.weather_url, settings.weather_place, settings.weather_latitude,
            settings.weather_longitude, fetch_config=FetchConfig.from_settings(settings))
        self.views = ViewCounter(db, self.zone)
        self.cache = MicroCache(FRONT_CACHE_SECONDS)
        self.articles_cache = MicroCache(ARTICLE_CACHE_SECONDS, ARTICLE_CACHE_SIZE)

    def base_url(self, request: Request) -> str:
        """The public address of the site, without a trailing slash."""
        return cast(str, (self.settings.base_url or str(request.base_url)).rstrip("/"))

    def header_key(self) -> tuple[str, Any]:
        """What the header of every page shows that changes: the date and the weather."""
        return dt.datetime.now(self.zone).date().isoformat(), self.weather.current()

    def html(self, name: str, **context: Any) -> bytes:
        """Render a template with the page header's date and weather."""
        now = dt.datetime.now(self.zone)
        context.setdefault("title", None)
        context.setdefault("feeds", [])
        return self.env.get_template(name).render(
            site_title=self.settings.site_title, today=now, today_iso=now.date().isoformat(),
            weather=self.weather.current(), **context).encode()

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """Render a template and answer with ETag / 304."""
        return conditional(request, self.html(name, **context), HTML, status=status)

    def feed_links(self, path: str, title: str, query: str = "") -> list[dict[str, str]]:
        """Autodiscovery links for a page's feeds in the three formats."""
        names = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
        return [{"title": f"{title} ({names[fmt]})", "type": feed_out.FORMATS[fmt].split(";")[0],
                 "href": f"{path}/feed.{fmt}{query}"} for fmt in feed_out.FORMATS]

    def feed(self, request: Request, fmt: str, title: str, page_path: str,
             articles: list[StoredArticle], description: str) -> Response:
        """One outgoing feed of ``articles`` in ``fmt``."""
        if fmt not in feed_out.FORMATS:
            raise StarletteHTTPException(404)
        base = self.base_url(request)
        query = f"?{request.url.query}" if request.url.query else ""
        info = feed_out.FeedInfo(
            title=f"{title} · {self.settings.site_title}", page_url=base + page_path + query,
            feed_url=base + request.url.path + query, description=description)
        items = [feed_out.feed_item(a, base) for a in articles]
        body = feed_out.RENDERERS[fmt](info, items)
        return conditional(request, body, feed_out.FORMATS[fmt])

    def local_day(self, value: dt.datetime) -> dt.date:
        """The site's calendar day of a moment."""
        return value.astimezone(self.zone).date()

    def day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of ``day`` and of the day after, in the site's zone."""
        start = dt.datetime.combine(day, dt.time(), self.zone)
        return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.zone)


def site_of(request: Request) -> Site:
    """The application's ``Site`` (built once by ``broadsheet.web``)."""
    return cast(Site, request.app.state.site)
