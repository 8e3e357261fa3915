"""Miniflux's JSON: feeds, categories and entries as its clients read them, and the
entry filters its query parameters select."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from starlette.datastructures import MultiDict

from broadsheet.api.readers.common import (
    category_id, find_category, from_seconds, shown_addresses, source_categories,
)
from broadsheet.publish import article_url, publish
from broadsheet.store import Database, bounds
from broadsheet.store import reader_state as state
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.users import User
from broadsheet.types import Source, redact_secrets


def time_json(value: dt.datetime | None) -> str:
    """A time as Miniflux writes it (ISO 8601; the epoch for none)."""
    return (value or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).isoformat()


def category_json(name: str, user: User) -> dict[str, Any]:
    """A category as Miniflux describes one."""
    return {"id": category_id(name), "title": name, "user_id": user.id, "hide_globally": False}


def feed_json(source: Source, user: User) -> dict[str, Any]:
    """A source as Miniflux describes a feed."""
    feed_url, site_url, title = shown_addresses(source, user)
    return {
        "id": source.id, "user_id": user.id, "feed_url": feed_url,
        "site_url": site_url, "title": title,
        "checked_at": time_json(source.last_polled), "next_check_at": time_json(source.next_poll),
        "etag_header": source.etag or "", "last_modified_header": source.last_modified or "",
        "parsing_error_message": redact_secrets(source.last_error or ""),
        "parsing_error_count": source.error_count, "scraper_rules": "", "rewrite_rules": "",
        "crawler": False, "blocklist_rules": "", "keeplist_rules": "", "user_agent": "",
        "username": "", "password": "", "disabled": source.status == "paused",
        "ignore_http_cache": False, "fetch_via_proxy": False, "hide_globally": False,
        "no_media_player": False, "category": category_json(source_categories(source)[0], user),
        "icon": None,
    }


def entry_json(entry: state.Entry, user: User, sources: dict[int, Source],
               settings: Any) -> dict[str, Any]:
    """An article with this user's state as Miniflux describes an entry."""
    article = entry.article
    shown = publish(article, settings)
    source = sources.get(article.source_id)
    return {
        "id": article.id, "user_id": user.id, "feed_id": article.source_id,
        "status": "read" if entry.read else "unread",
        "hash": hashlib.sha256(f"{article.source_id}:{article.entry_key}".encode())
        .hexdigest(),
        "title": article.title, "url": article_url(article), "comments_url": "",
        "published_at": time_json(article.published_local),
        "created_at": time_json(article.created),
        "changed_at": time_json(article.updated or article.created), "content": shown.html,
        "author": ", ".join(article.authors), "share_code": "", "starred": entry.starred,
        "reading_time": max(1, len(shown.text.split()) // 230), "enclosures": [],
        "tags": list(article.categories),
        "feed": feed_json(source, user) if source else None,
    }


def entry_filter(db: Database, params: MultiDict, base: EntryFilter) -> EntryFilter:
    """The entries the query parameters (status, starred, feed, category, times, ids)
    select, within ``base``."""
    values = dict(base.__dict__)
    statuses = set(params.getlist("status"))
    if statuses == {"unread"}:
        values["read"] = False
    elif statuses and statuses <= {"read", "removed"}:
        values["read"] = True
    if params.get("starred", "").lower() in ("1", "true"):
        values["starred"] = True
    if params.get("feed_id", "").isdigit():
        values["source_ids"] = (bounds.parse_int(params["feed_id"], "feed_id"),)
    if params.get("category_id", "").isdigit():
        found = find_category(db, int(params["category_id"]))
        values["source_ids"] = found.source_ids if found else ()
    for key, name in (("after", "published_after"), ("before", "published_before"),
                      ("published_after", "published_after"),
                      ("published_before", "published_before")):
        if params.get(key, "").isdigit():
            values[name] = from_seconds(int(params[key]))
    for key, name in (("after_entry_id", "after_id"), ("before_entry_id", "before_id")):
        if params.get(key, "").isdigit():
            values[name] = bounds.parse_int(params[key], key)
    return EntryFilter(**values)
