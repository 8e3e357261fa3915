"""What article text the APIs may hand out: the same publishing rule as the site.

A source in "excerpt" mode (or the whole site, by setting) shows only an excerpt;
the APIs honour that, so no client gets more than a reader of the site would.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from broadsheet.store.articles import StoredArticle


def article_body(article: StoredArticle, settings: Any) -> tuple[str, str, bool]:
    """(html, text, is_excerpt) of an article as the publishing mode allows."""
    mode = article.source_mode or settings.publishing_mode
    if mode != "excerpt":
        return article.html, article.text, False
    from broadsheet.extract import excerpt

    text = excerpt(article.text, settings.excerpt_words)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs), text, True


def article_url(article: StoredArticle) -> str:
    """The best public address of an article: canonical, else the feed's link, else ''."""
    return article.canonical_url or article.feed_link or ""
