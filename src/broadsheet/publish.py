"""What a reader sees of an article: the whole text or an excerpt, and its address.

One rule for every way out (the site's pages, the JSON API, the reader-client APIs), so
no client gets more than a reader of the site would: a source's own publishing mode wins,
else the site's ``publishing_mode``; in "excerpt" mode only the first ``excerpt_words``
words are shown, as escaped paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from markupsafe import escape


class Publishable(Protocol):
    """What the rule reads of an article (``store.articles.StoredArticle`` has it all)."""

    @property
    def html(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def source_mode(self) -> str | None: ...

    @property
    def canonical_url(self) -> str | None: ...

    @property
    def feed_link(self) -> str | None: ...


@dataclass(frozen=True)
class Published:
    """The body a reader may see: sanitised HTML, plain text, and whether it is cut short."""

    html: str
    text: str
    is_excerpt: bool


def publish(article: Publishable, settings: Any) -> Published:
    """The body of ``article`` as its source's publishing mode (else the site's) allows."""
    mode = article.source_mode or settings.publishing_mode
    if mode != "excerpt":
        return Published(article.html, article.text, False)
    from broadsheet.extract import excerpt  # extraction's imports are heavy: only when needed

    text = excerpt(article.text, settings.excerpt_words)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return Published("".join(f"<p>{escape(p)}</p>" for p in paragraphs), text, True)


def article_url(article: Publishable) -> str:
    """The best public address of an article: canonical, else the feed's link, else ''."""
    return article.canonical_url or article.feed_link or ""
