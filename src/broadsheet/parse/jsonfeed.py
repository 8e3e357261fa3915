"""JSON Feed 1.0 and 1.1, read with the same care as XML feeds."""

from __future__ import annotations

import json
from typing import Any

from broadsheet.errors import ParseError
from broadsheet.parse._common import newest
from broadsheet.parse.dates import parse_date
from broadsheet.parse.identity import entry_key
from broadsheet.types import FeedEntry, ParsedFeed


def _text(value: Any, limit: int = 100_000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _authors(item: dict[str, Any], feed: dict[str, Any]) -> tuple[str, ...]:
    def single(holder: dict[str, Any]) -> list[Any] | None:
        return [holder["author"]] if isinstance(holder.get("author"), dict) else None

    # 1.1 has "authors"; 1.0 had one "author"; an item without one inherits the feed's.
    people = (item.get("authors") or single(item) or feed.get("authors") or single(feed)
              or [])
    if not isinstance(people, list):
        return ()
    return tuple(_text(p.get("name"), 200) for p in people
                 if isinstance(p, dict) and _text(p.get("name")))


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed document; anything malformed is a ParseError."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"parse: not valid JSON at {url[:200]}: {error}") from None
    if not isinstance(data, dict) or "jsonfeed.org/version" not in str(data.get("version", "")):
        raise ParseError(f"parse: {url[:200]} is JSON but not a JSON Feed")
    version = "json11" if str(data["version"]).endswith("1.1") else "json10"
    items = data.get("items")
    entries = []
    items = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    for item in newest(items, lambda i: _text(i.get("date_published"))
                       or _text(i.get("date_modified")) or None):
        link = _text(item.get("url"), 4000) or None
        content = _text(item.get("content_html")) or _text(item.get("content_text"))
        summary = _text(item.get("summary"))
        title = _text(item.get("title"), 2000)
        guid = _text(item.get("id"), 2000) or (str(item["id"]) if isinstance(item.get("id"), int)
                                               else None)
        tags = item.get("tags")
        entries.append(
            FeedEntry(
                key=entry_key(guid, link, title, content or summary),
                title=title,
                link=link,
                guid=guid,
                summary=summary,
                content=content,
                authors=_authors(item, data),
                published=parse_date(_text(item.get("date_published"))),
                updated=parse_date(_text(item.get("date_modified"))),
                image=_text(item.get("image"), 4000) or _text(item.get("banner_image"), 4000)
                or None,
                categories=tuple(t[:200] for t in tags if isinstance(t, str))
                if isinstance(tags, list) else (),
            )
        )
    hubs = data.get("hubs")
    hub = next((h.get("url") for h in hubs if isinstance(h, dict) and h.get("url")), None) \
        if isinstance(hubs, list) else None
    return ParsedFeed(
        title=_text(data.get("title"), 2000),
        format=version,
        site_url=_text(data.get("home_page_url"), 4000) or None,
        description=_text(data.get("description"), 10_000),
        language=_text(data.get("language"), 20) or None,
        hub_url=hub,
        self_url=_text(data.get("feed_url"), 4000) or None,
        entries=tuple(entries),
    )
