"""Metadata for other machines: OpenGraph tags and JSON-LD ``NewsArticle``."""

from __future__ import annotations

import json

from markupsafe import Markup

from broadsheet.site.feeds import plain_summary
from broadsheet.store.articles import StoredArticle


def opengraph(article: StoredArticle, page_url: str, site_title: str) -> list[tuple[str, str]]:
    """(property, content) pairs for ``<meta property=...>`` on an article page."""
    tags = [("og:type", "article"), ("og:title", article.title), ("og:url", page_url),
            ("og:site_name", site_title),
            ("og:description", plain_summary(article, 40)[:300]),
            ("article:published_time", article.published.isoformat(timespec="seconds"))]
    if article.updated:
        tags.append(("article:modified_time", article.updated.isoformat(timespec="seconds")))
    if article.image:
        tags.append(("og:image", article.image))
    tags += [("article:tag", tag) for tag in article.categories]
    return tags


def news_article(article: StoredArticle, page_url: str, original_url: str | None) -> Markup:
    """JSON-LD for a ``<script type="application/ld+json">`` block, safe inside HTML.

    ``isBasedOn`` names the original: this page is a copy of someone else's journalism.
    """
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title[:110], "url": page_url, "mainEntityOfPage": page_url,
        "datePublished": article.published.isoformat(timespec="seconds"),
        "dateModified": (article.updated or article.published).isoformat(timespec="seconds"),
        "description": plain_summary(article, 40)[:300],
        "publisher": {"@type": "Organization",
                      "name": article.source_title or article.site_name or article.source_name},
    }
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    if article.image:
        data["image"] = [article.image]
    if article.categories:
        data["keywords"] = list(article.categories)
    if article.language:
        data["inLanguage"] = article.language
    if original_url:
        data["isBasedOn"] = original_url
    text = json.dumps(data, ensure_ascii=False)
    # No "</script>" or "<!--" can survive: every <, > and & is written as an escape.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
