"""Google Reader's vocabulary: item ids, stream ids and the JSON of an item.

Item ids are article ids: long form ``tag:google.com,2005:reader/item/<16 hex>``,
short form decimal. Streams: ``feed/<id>``, ``user/-/label/<name>``,
``user/-/state/com.google/{reading-list,read,starred}``.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MultiDict

from broadsheet.api.errors import ApiError
from broadsheet.api.readers.common import find_category, from_seconds, seconds
from broadsheet.publish import article_url, publish
from broadsheet.store import Database
from broadsheet.store import reader_state as state
from broadsheet.store import sources as source_store
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.users import User

STATE = "user/-/state/com.google/"
READING_LIST, READ, STARRED = STATE + "reading-list", STATE + "read", STATE + "starred"
KEPT_UNREAD = STATE + "kept-unread"
LONG_ID = "tag:google.com,2005:reader/item/"
MAX_ITEMS = 1000
MAX_IDS = 10_000


def long_id(article_id: int) -> str:
    """The long form of an item id."""
    return f"{LONG_ID}{article_id:016x}"


def parse_item_id(value: str) -> int | None:
    """An article id from a long (hex) or short (decimal) item id; None if neither."""
    value = value.strip()
    try:
        if value.startswith("tag:google.com"):
            number = int(value.rsplit("/", 1)[-1], 16)
        else:
            number = int(value)
    except ValueError:
        return None
    if number >= 2**63:
        number -= 2**64  # short ids are signed 64-bit in the protocol
    return number if number > 0 else None


def label_name(stream: str) -> str | None:
    """The label of a ``user/-/label/<name>`` stream, else None."""
    parts = stream.split("/", 3)
    if len(parts) == 4 and parts[0] == "user" and parts[2] == "label":
        return parts[3]
    return None


def stream_filter(db: Database, stream: str, params: MultiDict) -> EntryFilter:
    """The articles a stream id and the ot/nt/xt/it parameters select."""
    values: dict[str, Any] = {}
    stream = stream.replace("user/-/", "user/-/") if stream else READING_LIST
    normalised = "user/-/" + stream.split("/", 2)[2] if stream.startswith("user/") else stream
    if normalised == STARRED:
        values["starred"] = True
    elif normalised == READ:
        values["read"] = True
    elif normalised == READING_LIST:
        pass
    elif stream.startswith("feed/"):
        values["source_ids"] = (feed_source_id(db, stream[5:]),)
    elif label_name(stream) is not None:
        category = find_category(db, label_name(stream) or "")
        if category is None:
            raise ApiError(404, f"no label {label_name(stream)!r}")
        values["source_ids"] = category.source_ids
    else:
        raise ApiError(404, f"unknown stream {stream!r}")
    for key, flag in (("xt", False), ("it", True)):
        for target in params.getlist(key):
            target = "user/-/" + target.split("/", 2)[2] if target.startswith("user/") else target
            if target == READ:
                values["read"] = flag
            elif target == STARRED:
                values["starred"] = flag
    for key, name in (("ot", "published_after"), ("nt", "published_before")):
        if params.get(key, "").isdigit():
            values[name] = from_seconds(int(params[key]))
    return EntryFilter(**values)


def feed_source_id(db: Database, ident: str) -> int:
    """The source a ``feed/<id or address>`` stream names; 404 when none does."""
    if ident.isdigit():
        return source_store.get_source(db, int(ident)).id
    for source in source_store.list_sources(db):
        if source.url == ident:
            return source.id
    raise ApiError(404, f"no feed {ident!r}")


def bounded_number(params: MultiDict, key: str, default: int, top: int) -> int:
    """A count parameter clamped to [1, top], else ``default``."""
    value = params.get(key, "")
    return max(1, min(int(value), top)) if value.isdigit() else default


def item_json(entry: state.Entry, settings: Any, user: User) -> dict[str, Any]:
    """An article with this user's state as Google Reader describes an item."""
    article = entry.article
    html = publish(article, settings).html
    tags = [READING_LIST.replace("-", str(user.id), 1)]
    if entry.read:
        tags.append(READ.replace("-", str(user.id), 1))
    if entry.starred:
        tags.append(STARRED.replace("-", str(user.id), 1))
    url = article_url(article)
    usec = int(article.published.timestamp() * 1_000_000)
    return {
        "id": long_id(article.id), "title": article.title,
        "crawlTimeMsec": str(int(article.created.timestamp() * 1000)),
        "timestampUsec": str(usec), "published": seconds(article.published),
        "updated": seconds(article.updated or article.published),
        "author": ", ".join(article.authors),
        "alternate": [{"href": url, "type": "text/html"}] if url else [],
        "canonical": [{"href": url}] if url else [],
        "categories": tags,
        "origin": {"streamId": f"feed/{article.source_id}",
                   "title": article.source_name,
                   "htmlUrl": article.source_public_url or ""},
        "summary": {"direction": "ltr", "content": html},
        "content": {"direction": "ltr", "content": html},
    }
