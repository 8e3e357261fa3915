"""What machines ask the site for: sitemap, robots.txt, favicon, health check."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from broadsheet.site.conditional import conditional
from broadsheet.site.render import site_of
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store


def sitemap(request: Request) -> Response:
    """``/sitemap.xml``: the newest visible articles and every source page."""
    site = site_of(request)

    def render() -> bytes:
        base = site.base_url(request)
        entries = article_store.sitemap_entries(site.db)
        return site.env.get_template("sitemap.xml").render(
            base=base, entries=entries, sources=source_store.list_sources(site.db)).encode()

    body, etag = site.cache.get(("sitemap", site.base_url(request)), render)
    return conditional(request, body, "application/xml; charset=utf-8", etag=etag)


def robots(request: Request) -> Response:
    """``/robots.txt``: keep crawlers off search and the view beacon; name the sitemap."""
    body = (f"User-agent: *\nDisallow: /search\nDisallow: /articles/*/view.gif\n"
            f"Sitemap: {site_of(request).base_url(request)}/sitemap.xml\n").encode()
    return conditional(request, body, "text/plain; charset=utf-8")


def favicon() -> Response:
    """``/favicon.ico``: browsers ask for it; the icon is an SVG."""
    return RedirectResponse("/static/favicon.svg", 301)


def health() -> dict[str, str]:
    """``/healthz``: the process answers."""
    return {"status": "ok"}
