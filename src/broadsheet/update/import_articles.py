"""Bulk import of articles from JSON Lines, for archives and backfills.

One JSON object per line: ``title`` and ``text`` (required), ``id``, ``url``,
``published`` and ``source`` (optional). Each source name becomes a paused source
``import:<name>`` (nobody polls it); an article keeps its ``id`` as the entry key
``import:<id>``, so importing the same file twice stores nothing twice. A bad line is
reported with its number and skipped. Imported articles then take the same stories
step as polled ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from broadsheet.parse.dates import offset_minutes
from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.stories.canonical_url import canonicalize_url
from broadsheet.types import Article

DEFAULT_SOURCE = "import"
IMPORT_PREFIX = "import:"


@dataclass
class ImportReport:
    """What an import came to."""

    imported: int = 0
    already: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    """(line number, reason) of every skipped line."""


def import_lines(db: Database, lines: Iterable[str], *, now: dt.datetime | None = None
                 ) -> ImportReport:
    """Store every good line's article; see the module docstring."""
    now = now or utcnow()
    report = ImportReport()
    source_ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            name, article = _article(data, now)
        except (ValueError, TypeError) as error:
            report.bad.append((number, str(error)))
            continue
        if name not in source_ids:
            source_ids[name] = _import_source(db, name)
        stored = article_store.add_article(db, Article(**{**article,
                                                          "source_id": source_ids[name]}))
        if stored is None:
            report.already += 1
        else:
            report.imported += 1
    return report


def imported_id(entry_key: str) -> str | None:
    """The ``id`` an article was imported with, if it was imported with one."""
    if entry_key.startswith(IMPORT_PREFIX) and not entry_key.startswith(IMPORT_PREFIX + "#"):
        return entry_key[len(IMPORT_PREFIX):]
    return None


def _import_source(db: Database, name: str) -> int:
    source = source_store.add_source(db, IMPORT_PREFIX + name, title=name)
    if source.status != "paused":
        source_store.update_source(db, source.id, status="paused")
    return source.id


def _article(data: Any, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    if not isinstance(data, dict):
        raise ValueError("import: a line must be a JSON object")
    title, text = data.get("title"), data.get("text")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("import: 'title' must be a non-empty string")
    if not isinstance(text, str):
        raise ValueError("import: 'text' must be a string")
    ident = data.get("id")
    if ident is not None and not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise ValueError("import: 'id' must be a string or a number")
    url = _url(data.get("url"))
    name = data.get("source") or DEFAULT_SOURCE
    if not isinstance(name, str):
        raise ValueError("import: 'source' must be a string")
    published = _published(data.get("published"), now)
    if ident is not None and str(ident).strip():
        key = IMPORT_PREFIX + str(ident).strip()
    else:
        digest = hashlib.blake2b(f"{url}\x00{title}\x00{text}".encode(), digest_size=12)
        key = IMPORT_PREFIX + "#" + digest.hexdigest()
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return name.strip() or DEFAULT_SOURCE, {
        "entry_key": key, "title": title.strip(), "feed_link": url, "canonical_url": url,
        "text": text, "html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
        "published": published, "extraction_method": "import",
        # Kept like a feed's date: the article page shows the time its outlet wrote.
        "published_offset": offset_minutes(published) if _has_offset(data) else None}


def _url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError("import: 'url' must be an http(s) address")
    return canonicalize_url(value)


def _published(value: Any, now: dt.datetime) -> dt.datetime:
    if value is None or value == "":
        return now
    if not isinstance(value, str):
        raise ValueError("import: 'published' must be an ISO 8601 date-time string")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"import: 'published' is not an ISO 8601 date-time: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _has_offset(data: dict[str, Any]) -> bool:
    """Whether ``published`` was given with its own offset (not the UTC we assume)."""
    value = data.get("published")
    if not isinstance(value, str) or not value:
        return False
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")
                                     ).tzinfo is not None
