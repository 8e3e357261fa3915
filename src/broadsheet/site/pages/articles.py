"""An article's page, and the beacon that counts its views."""

from __future__ import annotations

from contextlib import suppress

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.errors import StorageError
from broadsheet.publish import publish
from broadsheet.site import stories as story_view
from broadsheet.site.conditional import conditional
from broadsheet.site.metadata import news_article, opengraph
from broadsheet.site.popularity import GIF
from broadsheet.site.render import HTML, Site, site_of
from broadsheet.store import articles as article_store


def article(request: Request, article_id: int) -> Response:
    """``/articles/{id}``: one article with its story, related reading and metadata."""
    site = site_of(request)
    # Kept per process under the data version (one cheap query): a new, hidden or
    # newly placed article anywhere changes the key, so every process stays correct.
    version = article_store.page_version(site.db, article_id)
    if version is None:
        raise StarletteHTTPException(404)
    key = (article_id, version, site.base_url(request), site.header_key())
    body, etag = site.articles_cache.get(key, lambda: _article_html(site, request, article_id))
    return conditional(request, body, HTML, etag=etag)


def _article_html(site: Site, request: Request, article_id: int) -> bytes:
    db = site.db
    item = article_store.get_article(db, article_id)
    if item is None:
        raise StarletteHTTPException(404)
    shown = publish(item, site.settings)
    body, is_excerpt = shown.html, shown.is_excerpt
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


def view_beacon(request: Request, article_id: int) -> Response:
    """``/articles/{id}/view.gif``: counts a view for Most Popular; always an image."""
    address = request.client.host if request.client else ""
    with suppress(StorageError):  # no such article: nothing to count, still an image
        site_of(request).views.count(article_id, address, request.headers.get("user-agent", ""))
    return Response(GIF, media_type="image/gif",
                    headers={"Cache-Control": "no-store, private"})
