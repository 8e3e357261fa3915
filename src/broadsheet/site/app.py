"""The site readers see: server-rendered pages that work without JavaScript.

One route table (``make_app``); pages are rendered by ``Site`` from the store and
nothing else; no pipeline stage imports the site. Every page and feed answers
conditional GETs (``conditional.py``). Nothing changes state on GET except the view
beacon (``popularity.py`` says why a beacon).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.errors import SearchBudgetError, SearchSyntaxError, SourceError, StorageError
from broadsheet.site import feeds as feed_out
from broadsheet.site.conditional import MicroCache, conditional
from broadsheet.site.formatting import full_time, iso_time, time_tag
from broadsheet.site.metadata import news_article, opengraph
from broadsheet.site.popularity import GIF, ViewCounter
from broadsheet.site import stories as story_view
from broadsheet.fetch import FetchConfig
from broadsheet.site.weather import Weather
from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import bounds
from broadsheet.store import sources as source_store
from broadsheet.store import stories as story_store
from broadsheet.store.articles import StoredArticle
from broadsheet.store.search import search_articles

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PAGE_SIZE = 30
FEED_SIZE = 50
FRONT_CACHE_SECONDS = 5.0
ARTICLE_CACHE_SECONDS = 30.0
"""Article pages are also keyed by the data version; the time limit bounds what it misses
(an outlet profile edited, another article deleted)."""
ARTICLE_CACHE_SIZE = 2048
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
HTML = "text/html; charset=utf-8"


def _path_part(value: str) -> str:
    return quote(value, safe="")


def _templates() -> Environment:
    # Compiled once per process: no stat() of the template files on every page.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), auto_reload=False,
                      autoescape=select_autoescape(["html", "xml"]))
    env.filters["full_time"] = full_time
    env.filters["iso_time"] = iso_time
    env.filters["path_part"] = _path_part
    return env


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response (cheaper than
    Starlette's BaseHTTPMiddleware, which matters on the hot path)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Application(FastAPI):
    """FastAPI with the security headers outermost: Starlette puts its 500 handler
    outside every added middleware, so only wrapping the whole stack puts the headers
    on answers to unexpected exceptions too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def _cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    return bounds.parse_keyset(value, "before")


def _next_cursor(items: list[StoredArticle], size: int = PAGE_SIZE) -> str | None:
    if len(items) < size:
        return None
    last = items[-1]
    return f"{last.published.isoformat()}_{last.id}"


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
        return (self.settings.base_url or str(request.base_url)).rstrip("/")

    def header_key(self) -> tuple[str, Any]:
        """What the header of every page shows that changes: the date and the weather."""
        return dt.datetime.now(self.zone).date().isoformat(), self.weather.current()

    def html(self, name: str, **context: Any) -> bytes:
        now = dt.datetime.now(self.zone)
        context.setdefault("title", None)
        context.setdefault("feeds", [])
        return self.env.get_template(name).render(
            site_title=self.settings.site_title, today=now, today_iso=now.date().isoformat(),
            weather=self.weather.current(), **context).encode()

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """Render a template and answer with ETag / 304."""
        return conditional(request, self.html(name, **context), HTML, status=status)

    def body_of(self, article: StoredArticle) -> tuple[str, bool]:
        """The HTML the page may show, and whether it is an excerpt."""
        from broadsheet.publish import publish

        shown = publish(article, self.settings)
        return shown.html, shown.is_excerpt

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
        return value.astimezone(self.zone).date()


def _day_bounds(site: Site, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), site.zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), site.zone)
    return start, end


def _parse_day(value: str | None, name: str = "day") -> dt.date | None:
    return bounds.parse_day(value, name) if value else None


def make_app(db: Database, settings: Any, *, weather: Weather | None = None) -> FastAPI:
    """Build the web application: the site's pages and feeds (and later the API)."""
    app = _Application(title="Broadsheet", docs_url=None, redoc_url=None, openapi_url=None)
    site = Site(db, settings, weather)
    app.state.site = site
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    site.weather.current()  # starts the first fetch in the background

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return site.page(request, "404.html", status=404, title="Page not found",
                             path=request.url.path)
        return site.page(request, "error.html", status=error.status_code, title="Error",
                         message=str(error.detail))

    @app.exception_handler(bounds.OutOfRangeError)
    async def out_of_range(request: Request, error: bounds.OutOfRangeError) -> Response:
        return site.page(request, "error.html", status=400, title="Error",
                         message=str(error))

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("site: error on %s", request.url.path)
        return site.page(request, "error.html", status=500, title="Error",
                         message="The page could not be made; please try again shortly.")

    @app.get("/")
    def front(request: Request, before: str | None = None) -> Response:
        cursor = _cursor(before)
        if cursor is not None:
            latest = article_store.latest_articles(db, PAGE_SIZE, before=cursor)
            return site.page(request, "front.html", latest=latest, top=[], popular=None,
                             next_cursor=_next_cursor(latest), title="Latest")

        def render() -> bytes:
            top = article_store.top_articles(db, 5)
            latest = article_store.latest_articles(db, PAGE_SIZE)
            popular = {"day": site.views.popular(1), "week": site.views.popular(7)}
            return site.html("front.html", top=top, latest=latest, popular=popular,
                             top_stories=story_view.top_story_places(db, top),
                             next_cursor=_next_cursor(latest),
                             feeds=site.feed_links("", "Everything"))

        body, etag = site.cache.get("front", render)
        return conditional(request, body, HTML, etag=etag)

    @app.get("/feed.{fmt}")
    def front_feed(request: Request, fmt: str) -> Response:
        items = article_store.latest_articles(db, FEED_SIZE)
        return site.feed(request, fmt, "Latest", "/", items, "The latest articles, every outlet.")

    @app.get("/articles/{article_id}")
    def article(request: Request, article_id: int) -> Response:
        # Kept per process under the data version (one cheap query): a new, hidden or
        # newly placed article anywhere changes the key, so every process stays correct.
        version = article_store.page_version(db, article_id)
        if version is None:
            raise StarletteHTTPException(404)
        key = (article_id, version, site.base_url(request), site.header_key())
        body, etag = site.articles_cache.get(key, lambda: article_page(request, article_id))
        return conditional(request, body, HTML, etag=etag)

    def article_page(request: Request, article_id: int) -> bytes:
        item = article_store.get_article(db, article_id)
        if item is None:
            raise StarletteHTTPException(404)
        body, is_excerpt = site.body_of(item)
        more = article_store.latest_articles(db, 4, source_id=item.source_id, exclude=item.id)
        tag = item.categories[0] if item.categories else None
        on_tag = [a for a in (article_store.tagged_articles(db, tag, 5) if tag else [])
                  if a.id != item.id and a.id not in {m.id for m in more}][:4]
        page_url = f"{site.base_url(request)}/articles/{item.id}"
        original = item.canonical_url or item.feed_link
        in_story = story_view.article_story(db, item)
        if in_story.related:
            more = []
            on_tag = [a for a in on_tag if a.id not in {r.id for r in in_story.related}]
        return site.html(
            "article.html", title=item.title, article=item, body=body,
            in_story=in_story,
            is_excerpt=is_excerpt, read_more=more, on_tag=on_tag, first_tag=tag,
            original=original, day=site.local_day(item.published),
            opengraph=opengraph(item, original if original and not is_excerpt else page_url,
                                site.settings.site_title),
            json_ld=news_article(item, page_url, original))

    @app.get("/articles/{article_id}/view.gif")
    def view_beacon(request: Request, article_id: int) -> Response:
        address = request.client.host if request.client else ""
        try:
            site.views.count(article_id, address, request.headers.get("user-agent", ""))
        except StorageError:  # no such article: nothing to count, still an image
            pass
        return Response(GIF, media_type="image/gif",
                        headers={"Cache-Control": "no-store, private"})

    @app.get("/stories/{story_id}")
    def story(request: Request, story_id: int) -> Response:
        found = story_view.story_page(db, story_id)
        if found is None:
            raise StarletteHTTPException(404)
        title = found["story"].title
        return site.page(request, "story.html", title=title,
                         feeds=site.feed_links(f"/stories/{story_id}", f"Story: {title}"),
                         **found)

    @app.get("/stories/{story_id}/feed.{fmt}")
    def story_feed(request: Request, story_id: int, fmt: str) -> Response:
        found = story_store.get_story(db, story_id)
        if found is None:
            raise StarletteHTTPException(404)
        items = story_view.story_feed_articles(db, story_id)[:FEED_SIZE]
        return site.feed(request, fmt, f"Story: {found.title}", f"/stories/{story_id}", items,
                         f"Every outlet's coverage of: {found.title}.")

    def _source_or_404(source_id: int) -> Any:
        try:
            return source_store.get_source(db, source_id)
        except SourceError:
            raise StarletteHTTPException(404) from None

    @app.get("/sources/{source_id}")
    def source(request: Request, source_id: int, before: str | None = None) -> Response:
        found = _source_or_404(source_id)
        items = article_store.latest_articles(db, PAGE_SIZE, source_id=source_id,
                                              before=_cursor(before))
        name = found.public_name
        outlet = story_view.outlet_of_source(db, found, items)
        return site.page(request, "source.html", title=name, source=found, articles=items,
                         outlet=outlet,
                         next_cursor=_next_cursor(items),
                         feeds=site.feed_links(f"/sources/{source_id}", name))

    @app.get("/sources/{source_id}/feed.{fmt}")
    def source_feed(request: Request, source_id: int, fmt: str) -> Response:
        found = _source_or_404(source_id)
        items = article_store.latest_articles(db, FEED_SIZE, source_id=source_id)
        name = found.public_name
        return site.feed(request, fmt, name, f"/sources/{source_id}", items,
                         f"Articles from {name}.")

    @app.get("/tags/{tag}")
    def tag_page(request: Request, tag: str, before: str | None = None) -> Response:
        items = article_store.tagged_articles(db, tag, PAGE_SIZE, before=_cursor(before))
        if not items and before is None:
            raise StarletteHTTPException(404)
        shown = next((c for a in items for c in a.categories
                      if c.strip().lower() == tag.strip().lower()), tag)
        return site.page(request, "tag.html", title=shown, tag=tag, shown=shown, articles=items,
                         next_cursor=_next_cursor(items),
                         feeds=site.feed_links(f"/tags/{_path_part(tag)}", f"Tag: {tag}"))

    @app.get("/tags/{tag}/feed.{fmt}")
    def tag_feed(request: Request, tag: str, fmt: str) -> Response:
        items = article_store.tagged_articles(db, tag, FEED_SIZE)
        return site.feed(request, fmt, f"Tag: {tag}", f"/tags/{_path_part(tag)}", items,
                         f"Articles tagged {tag}.")

    @app.get("/days/{day}")
    def day_page(request: Request, day: str, before: str | None = None) -> Response:
        when = _parse_day(day)
        if when is None:
            raise StarletteHTTPException(404)
        start, end = _day_bounds(site, when)
        items = article_store.articles_between(db, start, end, PAGE_SIZE, before=_cursor(before))
        today = dt.datetime.now(site.zone).date()
        return site.page(request, "day.html", title=f"{when:%A} {when.day} {when:%B %Y}",
                         day=when, articles=items, next_cursor=_next_cursor(items),
                         previous=when - dt.timedelta(days=1),
                         following=when + dt.timedelta(days=1) if when < today else None)

    @app.get("/days")
    def days_index() -> Response:
        return RedirectResponse(f"/days/{dt.datetime.now(site.zone).date().isoformat()}", 302)

    def _search(request: Request, limit: int) -> dict[str, Any]:
        params = request.query_params
        text = params.get("q", "").strip()
        source_id = params.get("source", "")
        since = _parse_day(params.get("since"), "since")
        until = _parse_day(params.get("until"), "until")
        language = params.get("lang", "").strip() or None
        form = {"q": text, "source": source_id, "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "", "lang": language or ""}
        result: dict[str, Any] = {"form": form, "page": None, "error": None, "status": 200}
        if not text:
            return result
        try:
            result["page"] = search_articles(
                db, text, source_id=bounds.parse_int(source_id, "source"),
                since=_day_bounds(site, since)[0] if since else None,
                until=_day_bounds(site, until)[1] if until else None,
                language=language, limit=limit, cursor=params.get("cursor"))
        except (SearchSyntaxError, SearchBudgetError) as error:
            result["error"] = str(error).removeprefix("search: ")
            result["status"] = 503 if isinstance(error, SearchBudgetError) else 400
        return result

    @app.get("/search")
    def search(request: Request) -> Response:
        found = _search(request, 20)
        form = found["form"]
        query = urlencode({k: v for k, v in form.items() if v})
        next_url = None
        if found["page"] and found["page"].next_cursor:
            next_url = "/search?" + urlencode({**{k: v for k, v in form.items() if v},
                                               "cursor": found["page"].next_cursor})
        title = f"Search: {form['q']}" if form["q"] else "Search"
        return site.page(request, "search.html", status=found.pop("status"),
                         title=title, sources=source_store.list_sources(db), next_url=next_url,
                         feeds=site.feed_links("/search", title, f"?{query}") if query else [],
                         **found)

    @app.get("/search/feed.{fmt}")
    def search_feed(request: Request, fmt: str) -> Response:
        found = _search(request, FEED_SIZE)
        if found["error"] or not found["page"]:
            raise StarletteHTTPException(found["status"] if found["error"] else 400,
                                         found["error"] or "Give a query with ?q=")
        items = [hit.article for hit in found["page"].hits]
        return site.feed(request, fmt, f"Search: {found['form']['q']}", "/search", items,
                         f"Articles matching {found['form']['q']}.")

    @app.get("/sitemap.xml")
    def sitemap(request: Request) -> Response:
        def render() -> bytes:
            base = site.base_url(request)
            entries = article_store.sitemap_entries(db)
            return site.env.get_template("sitemap.xml").render(
                base=base, entries=entries, sources=source_store.list_sources(db)).encode()

        body, etag = site.cache.get(("sitemap", site.base_url(request)), render)
        return conditional(request, body, "application/xml; charset=utf-8", etag=etag)

    @app.get("/robots.txt")
    def robots(request: Request) -> Response:
        body = (f"User-agent: *\nDisallow: /search\nDisallow: /articles/*/view.gif\n"
                f"Sitemap: {site.base_url(request)}/sitemap.xml\n").encode()
        return conditional(request, body, "text/plain; charset=utf-8")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", 301)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
