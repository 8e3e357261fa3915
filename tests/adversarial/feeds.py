"""Feed documents built from raw item XML, for cases ``tests.servers.rss`` cannot spell."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr


def rss_document(items: list[str], title: str = "Hostile Feed", link: str = "http://x/",
                 extra: str = "") -> bytes:
    """An RSS 2.0 document around raw ``<item>`` inner XML strings."""
    body = "".join(f"<item>{item}</item>" for item in items)
    return (f"<?xml version='1.0' encoding='utf-8'?>"
            f"<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
            f"xmlns:content='http://purl.org/rss/1.0/modules/content/' "
            f"xmlns:media='http://search.yahoo.com/mrss/'><channel>"
            f"<title>{escape(title)}</title><link>{escape(link)}</link>{extra}{body}"
            f"</channel></rss>").encode()


def text(tag: str, value: str) -> str:
    """``<tag>value</tag>`` with value escaped as XML text."""
    return f"<{tag}>{escape(value)}</{tag}>"


def attr(value: str) -> str:
    return quoteattr(value)
