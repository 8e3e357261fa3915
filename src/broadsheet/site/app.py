"""The site readers see: server-rendered pages that work without JavaScript.

The site reads the store and nothing else; no pipeline stage imports it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.site.formatting import full_time, iso_time
from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.articles import StoredArticle

HERE = Path(__file__).parent
PAGE_SIZE = 30
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


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "xml"]))
    env.filters["full_time"] = full_time
    env.filters["iso_time"] = iso_time
    return env


class Site:
    """Renders pages from the store with the site's settings."""

    def __init__(self, db: Database, settings: Any):
        self.db = db
        self.settings = settings
        self.env = _templates()
        self.zone = ZoneInfo(settings.timezone)

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        now = dt.datetime.now(self.zone)
        context.setdefault("title", None)
        html = self.env.get_template(name).render(
            site_title=self.settings.site_title, today=now, today_iso=now.date().isoformat(),
            **context)
        return HTMLResponse(html, status_code=status)

    def body_of(self, article: StoredArticle) -> tuple[str, bool]:
        """The HTML the page may show, and whether it is an excerpt."""
        from broadsheet.extract import excerpt

        mode = article.source_mode or self.settings.publishing_mode
        if mode == "excerpt":
            text = excerpt(article.text, self.settings.excerpt_words)
            paragraphs = [p for p in text.split("\n\n") if p.strip()]
            return "".join(f"<p>{_escape(p)}</p>" for p in paragraphs), True
        return article.html, False


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    if not value or "_" not in value:
        return None
    stamp, _, ident = value.rpartition("_")
    try:
        return dt.datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        return None


def _next_cursor(items: list[StoredArticle]) -> str | None:
    if len(items) < PAGE_SIZE:
        return None
    last = items[-1]
    return f"{last.published.isoformat()}_{last.id}"


def make_app(db: Database, settings: Any) -> FastAPI:
    """Build the web application: the site's pages (and later the API) on one server."""
    app = FastAPI(title="Broadsheet", docs_url=None, redoc_url=None, openapi_url=None)
    site = Site(db, settings)
    app.state.site = site
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return site.render("404.html", status=404, title="Page not found",
                               path=request.url.path)
        return site.render("error.html", status=error.status_code, title="Error",
                           message=str(error.detail))

    @app.get("/", response_class=HTMLResponse)
    def front(before: str | None = None) -> HTMLResponse:
        items = article_store.latest_articles(db, PAGE_SIZE, before=_cursor(before))
        return site.render("front.html", articles=items, next_cursor=_next_cursor(items))

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    def article(article_id: int) -> HTMLResponse:
        item = article_store.get_article(db, article_id)
        if item is None:
            raise StarletteHTTPException(404)
        body, is_excerpt = site.body_of(item)
        more = article_store.latest_articles(db, 1, source_id=item.source_id, exclude=item.id)
        return site.render("article.html", title=item.title, article=item, body=body,
                           is_excerpt=is_excerpt, read_more=more[0] if more else None)

    @app.get("/sources/{source_id}", response_class=HTMLResponse)
    def source(source_id: int, before: str | None = None) -> HTMLResponse:
        try:
            found = source_store.get_source(db, source_id)
        except Exception:
            raise StarletteHTTPException(404) from None
        items = article_store.latest_articles(db, PAGE_SIZE, source_id=source_id,
                                              before=_cursor(before))
        return site.render("source.html", title=found.title or found.url, source=found,
                           articles=items, next_cursor=_next_cursor(items))

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
