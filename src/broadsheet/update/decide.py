"""The decider: what a poll saw, in; what to store, out.

``decide_source`` turns one poll of a source (fetch result, parsed feed or error) and
what storage already holds (entry keys, links, subscribed addresses, read beforehand
and passed in as data) into a ``SourceIntent``: the articles to store, the entries
whose pages to read, and the source's new state (validators, next poll, errors,
marks). ``build_article`` joins a feed entry with what its page gave.

Pure: no database, no network, no clock, so every choice about which entries are new,
which content, address and date wins and when to poll next is tested on values alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import KW_ONLY, dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml.etree import ParserError

from broadsheet.errors import BroadsheetError
from broadsheet.extract.sanitize import sanitize_html
from broadsheet.parse.dates import clamp_date, offset_minutes
from broadsheet.settings import SourceSettings
from broadsheet.stories.canonical_url import canonicalize_url
from broadsheet.types import (
    Article,
    ExtractedArticle,
    FeedEntry,
    FetchResult,
    ParsedFeed,
    Source,
    web_address,
)
from broadsheet.update import schedule


def _is_plain(html: str) -> bool:
    return "<" not in html and "&" not in html


def html_text(html: str) -> str:
    """Plain text of a fragment of HTML, paragraphs separated by one blank line."""
    if not html.strip():
        return ""
    if _is_plain(html):  # most feed summaries: no markup to read
        return " ".join(html.split())
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return " ".join(html.split())
    blocks = []
    for element in root.iter("p", "h2", "h3", "h4", "li", "blockquote", "pre"):
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(text)
    if not blocks:
        blocks = [" ".join(root.text_content().split())]
    return "\n\n".join(b for b in blocks if b)


def _same_site(a: str, b: str) -> bool:
    host_a = (urlsplit(a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(host_a) and host_a == host_b


def choose_canonical(
    feed_link: str | None, final_url: str | None, declared: str | None
) -> str | None:
    """The address an article links to: the page's declared canonical when it agrees
    with the host the page came from, else the final address without tracking."""
    landed = web_address(final_url) or web_address(feed_link)
    if declared and landed and web_address(declared) and _same_site(declared, landed):
        landed = declared
    if not landed:
        return None
    try:
        return canonicalize_url(landed)
    except ValueError:
        return landed


def build_article(
    source_id: int,
    entry: FeedEntry,
    *,
    seen: dt.datetime,
    final_url: str | None = None,
    extracted: ExtractedArticle | None = None,
    error: str | None = None,
    feed_only: bool = False,
) -> Article:
    """Join a feed entry with its page's extraction, keeping the better content."""
    feed_html = entry.content or entry.summary
    feed_text = html_text(feed_html)
    page_text = extracted.text if extracted else ""
    use_page = (not feed_only and extracted is not None and bool(page_text.strip())
                and len(page_text) >= 0.6 * len(feed_text))
    base = final_url or entry.link
    if use_page and extracted is not None:
        method, html, text = "page", extracted.html, page_text
    else:
        method = "feed" if feed_text else "none"
        # Text without markup or entities passes the sanitiser unchanged: skip the work.
        cleaned = feed_html if _is_plain(feed_html) else sanitize_html(feed_html, base)
        html, text = cleaned, feed_text
    when = entry.published or entry.updated or (extracted.published if extracted else None)
    published = clamp_date(when, seen)
    page = extracted or ExtractedArticle()
    return Article(
        source_id=source_id,
        entry_key=entry.key,
        title=(entry.title or page.title or "").strip() or "(untitled)",
        feed_link=web_address(entry.link),
        canonical_url=choose_canonical(entry.link, final_url, page.canonical_url),
        text=text,
        html=html,
        summary=(feed_text if feed_html is entry.summary else html_text(entry.summary))[:1000]
        if entry.summary else text[:500],
        authors=entry.authors or page.authors,
        published=published.astimezone(dt.UTC),
        published_offset=offset_minutes(when if published == when else None),
        updated=entry.updated or page.updated,
        image=web_address(page.image) or web_address(entry.image),
        image_credit=page.image_credit or entry.image_credit,
        image_caption=page.image_caption,
        site_name=page.site_name,
        language=page.language,
        categories=entry.categories,
        extraction_method=method,
        extraction_error=error,
    )


def fresh_entries(
    entries: Sequence[FeedEntry], known_keys: AbstractSet[str],
    known_pairs: AbstractSet[tuple[str, str]],
) -> tuple[list[FeedEntry], int]:
    """The entries of a poll that should become articles, and how many came back under a
    new GUID.

    Duplicate keys inside one feed count once (the first wins); keys already stored or
    buried are skipped; an entry whose link *and* title match a stored article is the
    same item under a rotated GUID, so it is skipped and counted.
    """
    fresh: list[FeedEntry] = []
    taken: set[str] = set(known_keys)
    pairs: set[tuple[str, str]] = set()
    rotated = 0
    for entry in entries:
        if entry.key in taken:
            continue
        taken.add(entry.key)
        pair = (entry.link, entry.title) if entry.link else None
        if pair is not None and pair in known_pairs:
            rotated += 1
            continue
        if pair is not None and pair in pairs:
            continue  # the same item twice in one feed under two GUIDs
        if pair is not None:
            pairs.add(pair)
        fresh.append(entry)
    return fresh, rotated


# --- one poll of a source: what to store, what to mark, when to poll next ----------------

@dataclass(frozen=True)
class SourcePoll:
    """What one poll of a source saw, as plain values: the answer and its parse, or the
    error that ended it."""

    source: Source
    now: dt.datetime
    _: KW_ONLY
    result: FetchResult | None = None
    """The feed's fetch; None for a WebSub push, which brings no validators."""
    feed: ParsedFeed | None = None
    error: BroadsheetError | None = None
    """The FetchError or ParseError that ended the poll."""
    unconditional: bool = False
    """The feed was fetched without validators (see ``schedule.needs_unconditional``)."""
    own: SourceSettings = field(default_factory=SourceSettings)
    """The source's settings, read before the poll (``SourceSettings.of``), with what
    earlier polls recorded in them: the interval the feed earned, its hints, its hub."""

    @property
    def status(self) -> str:
        """"error", "not_modified" (a 304: nothing to parse) or "ok"."""
        if self.error is not None:
            return "error"
        return "not_modified" if self.feed is None else "ok"


@dataclass(frozen=True)
class PollPolicy:
    """What settings say about polling one source (its own bounds, else the site's)."""

    min_seconds: int
    max_seconds: int
    feed_only: bool = True
    """Articles are made from the feed alone; else each new entry's page is read."""
    websub_max_seconds: int | None = None
    """Set when the source's hub pushes to us (an active WebSub lease): it is then
    polled at a relaxed interval, never beyond this (the site's longest interval)."""


@dataclass(frozen=True)
class Known:
    """What storage already holds that a decision needs, read before deciding."""

    keys: frozenset[str] = frozenset()
    """Entry keys the source has stored or buried (tombstones)."""
    pairs: frozenset[tuple[str, str]] = frozenset()
    """(feed link, title) of the source's stored articles."""
    subscribed: frozenset[str] = frozenset()
    """Feed addresses already subscribed, among the addresses the poll was redirected to."""


@dataclass(frozen=True)
class SourceIntent:
    """What to do with one poll: store these articles and this source state together,
    after reading the pages of ``pages``."""

    source_id: int
    status: str
    """"ok", "not_modified" or "error"."""
    values: Mapping[str, Any]
    """The source's new state: validators, title, next poll, errors, status, settings."""
    articles: tuple[Article, ...] = ()
    """Feed-only articles, to store in the same transaction as ``values``."""
    pages: tuple[FeedEntry, ...] = ()
    """New entries whose pages are read and stored one by one, before ``values``."""
    rotated: int = 0
    """Entries skipped because they came back under a new GUID."""
    error: str | None = None


def decide_source(poll: SourcePoll, known: Known, policy: PollPolicy,
                  rng: random.Random | None = None) -> SourceIntent:
    """Decide what one poll of a source stores and what the source becomes.

    A failed poll backs off (a 410 marks the source gone); a 304 keeps the interval the
    feed last earned; a parsed feed yields its new entries (``fresh_entries``), as
    articles when the source is feed-only, and the source's validators, title and next
    poll. ``rng`` makes the schedule's jitter repeatable.
    """
    source = poll.source
    if poll.error is not None:
        return SourceIntent(source.id, "error", _frozen(_error_values(poll, policy, rng)),
                            error=str(poll.error))
    if poll.feed is None:
        return SourceIntent(source.id, "not_modified",
                            _frozen(_not_modified_values(poll, policy, rng)))
    fresh, rotated = fresh_entries(poll.feed.entries, known.keys, known.pairs)
    values = _frozen(_success_values(poll, poll.feed, known, policy, rotated, rng))
    if not policy.feed_only:
        return SourceIntent(source.id, "ok", values, pages=tuple(fresh), rotated=rotated)
    built = tuple(build_article(source.id, e, seen=poll.now, feed_only=True) for e in fresh)
    return SourceIntent(source.id, "ok", values, articles=built, rotated=rotated)


def _frozen(values: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(values)


def _relaxed(interval: float, policy: PollPolicy) -> float:
    if policy.websub_max_seconds is None:
        return interval
    return schedule.websub_interval(interval, policy.websub_max_seconds)


def _back_from_gone(source: Source) -> dict[str, Any]:
    """A source marked gone (410) that answers again is active again."""
    return {"status": "active"} if source.status == "gone" else {}


def _error_values(poll: SourcePoll, policy: PollPolicy,
                  rng: random.Random | None) -> dict[str, Any]:
    error, now = poll.error, poll.now
    count = poll.source.error_count + 1
    delay = schedule.error_backoff(count, min_seconds=policy.min_seconds,
                                   max_seconds=policy.max_seconds,
                                   retry_after=getattr(error, "retry_after", None), rng=rng)
    values: dict[str, Any] = {
        "last_polled": now, "last_error": str(error)[:1000], "error_count": count,
        "next_poll": now + dt.timedelta(seconds=delay),
    }
    if getattr(error, "status", None) == 410:
        values["status"] = "gone"
    return values


def _not_modified_values(poll: SourcePoll, policy: PollPolicy,
                         rng: random.Random | None) -> dict[str, Any]:
    """Nothing new: keep the interval the feed last earned, honouring cache headers."""
    source, now, own = poll.source, poll.now, poll.own
    headers = poll.result.headers if poll.result is not None else ()
    interval = schedule.next_interval(
        [], min_seconds=policy.min_seconds, max_seconds=policy.max_seconds,
        ttl_seconds=own.feed_hint_seconds, cache_seconds=schedule.cache_seconds(headers, now),
        fallback=None if own.poll_interval is None else float(own.poll_interval), rng=rng)
    interval = _relaxed(interval, policy)
    return {"last_polled": now, "last_success": now, "error_count": 0, "last_error": None,
            "next_poll": now + dt.timedelta(seconds=interval), **_back_from_gone(source)}


def _success_values(poll: SourcePoll, feed: ParsedFeed, known: Known, policy: PollPolicy,
                    rotated: int, rng: random.Random | None) -> dict[str, Any]:
    source, result, now = poll.source, poll.result, poll.now
    dates = [e.published for e in feed.entries if e.published]
    cache = schedule.cache_seconds(result.headers, now) if result else None
    interval = schedule.next_interval(dates, min_seconds=policy.min_seconds,
                                      max_seconds=policy.max_seconds,
                                      ttl_seconds=feed.ttl_seconds, cache_seconds=cache, rng=rng)
    values: dict[str, Any] = {
        "last_polled": now, "last_success": now, "error_count": 0, "last_error": None,
        "title": feed.title or source.title,
        "site_url": web_address(feed.site_url) or source.site_url,
        "feed_format": feed.format,
        "next_poll": now + dt.timedelta(seconds=_relaxed(interval, policy)),
        "settings": _poll_state(poll, feed, round(interval), rotated),
        **_back_from_gone(source),
    }
    if result is not None:
        values.update(etag=result.etag, last_modified=result.last_modified)
        values.update(_redirect_values(source, result.permanent_redirect, known))
        if poll.unconditional:
            values["last_unconditional"] = now
    return values


def _poll_state(poll: SourcePoll, feed: ParsedFeed, interval: int,
                rotated: int) -> dict[str, Any]:
    """The source's settings, as stored, with what this poll learnt: the interval the
    feed earned, its own hints, its hub, GUID rotation seen."""
    own = poll.own
    recorded: dict[str, Any] = {"poll_interval": interval, "feed_hint_seconds": feed.ttl_seconds}
    if feed.hub_url:
        recorded.update(hub=feed.hub_url, topic=feed.self_url or poll.source.url)
    if rotated:
        seen_before = own.guid_rotation.count if own.guid_rotation else 0
        recorded["guid_rotation"] = {"count": seen_before + rotated,
                                     "last_seen": poll.now.isoformat()}
    settings: dict[str, Any] = own.apply(recorded).stored()["settings"]
    return settings


def _redirect_values(source: Source, moved_to: str | None, known: Known) -> dict[str, Any]:
    """A permanent redirect moves the source once it is seen on two polls in a row."""
    if not moved_to or moved_to == source.url:
        return {"pending_redirect": None}
    if source.pending_redirect != moved_to:
        return {"pending_redirect": moved_to}
    if moved_to not in known.subscribed:
        return {"url": moved_to, "pending_redirect": None}
    # The feed moved onto another subscription: merge into it rather than poll one
    # feed twice. This source keeps its articles and stops polling.
    return {"status": "merged", "pending_redirect": None,
            "last_error": f"sources: merged into {moved_to[:500]} (permanent redirect)"}
