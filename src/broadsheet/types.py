"""Immutable values handed from one pipeline stage to the next.

Stages never pass connections, rows or library objects to each other: only these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

WEB_SCHEMES = ("http", "https")
SECRET_PARAMETERS = frozenset({
    "token", "key", "apikey", "api_key", "secret", "password", "passwd", "pwd", "pass",
    "sig", "signature", "auth", "access_token", "auth_token", "authtoken", "accesstoken",
    "credential", "credentials", "session", "sessionid", "sid", "private_token",
    "client_secret", "otp"})
"""Query parameter names (or ``_``/``-`` separated parts of names) that look like a secret."""
_SECRET_PARTS = ("token", "secret", "passw", "apikey", "signature", "credential")


def web_address(value: str | None) -> str | None:
    """An absolute http(s) address with a host, or None.

    The one test every stored or shown address passes (feed and site addresses, article
    links, images), at every entry point and again when read back: ``javascript:``,
    ``data:`` and the like never get in or out, however they are spelled (blanks and
    control characters, which browsers ignore, are removed first).
    """
    if not value:
        return None
    compact = "".join(ch for ch in value.strip() if ord(ch) > 0x20)
    try:
        parts = urlsplit(compact)
        ok = "://" in compact and parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # a malformed host such as "http://[::1"
        return None
    return compact if ok else None


def has_secret(url: str) -> bool:
    """True when an address carries credentials: user-info, or a query parameter whose
    name looks like a token, key, signature or password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return True
    for name, _value in parse_qsl(parts.query, keep_blank_values=True):
        lowered = name.lower()
        pieces = set(re.split(r"[^a-z0-9]+", lowered))
        if (lowered in SECRET_PARAMETERS or pieces & SECRET_PARAMETERS
                or any(p in lowered for p in _SECRET_PARTS)):
            return True
    return False


_ADDRESS_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def redact_secrets(text: str) -> str:
    """``text`` (an error message, say) with every address that carries a secret
    replaced by "[private address]"."""
    def redact(match: re.Match[str]) -> str:
        address = match.group(0).rstrip(".,;:!?)]")  # punctuation after it is prose
        tail = match.group(0)[len(address):]
        return ("[private address]" if has_secret(address) else address) + tail

    return _ADDRESS_IN_TEXT.sub(redact, text)


def public_address(url: str | None) -> str | None:
    """An address as anyone may see it: a web address carrying no secret, else None
    (the source or link is private: its name may show, the address may not)."""
    address = web_address(url)
    return address if address and not has_secret(address) else None


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch produced, after redirects and decompression."""

    url: str
    """The address that was asked for."""
    final_url: str
    """The address the body came from, after every redirect."""
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    permanent_redirect: str | None = None
    """Set when every hop was a 301/308: the address the source should move to."""
    headers: tuple[tuple[str, str], ...] = ()
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        """Return the first header called ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class Enclosure:
    """A file attached to a feed item (podcast audio, an image, a PDF)."""

    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, normalised whatever the feed's format."""

    key: str
    """Stable identity within the source: the GUID, else the link, else a content hash."""
    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    content: str = ""
    """The item's full HTML content, when the feed carries one."""
    authors: tuple[str, ...] = ()
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    image: str | None = None
    image_credit: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    """A whole feed document: its own metadata and its entries, newest first as given."""

    title: str
    format: str
    """'rss20', 'atom10', 'json11' and so on."""
    site_url: str | None = None
    description: str = ""
    language: str | None = None
    hub_url: str | None = None
    self_url: str | None = None
    ttl_seconds: int | None = None
    """The feed's own hint (RSS ttl, sy:updatePeriod/Frequency): poll no more often than this."""
    entries: tuple[FeedEntry, ...] = ()


@dataclass(frozen=True)
class ExtractedArticle:
    """The clean article found in a page: the public shape of ``broadsheet extract``."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    text: str = ""
    """Plain text, paragraphs separated by one blank line."""
    html: str = ""
    """Sanitised article HTML."""
    image: str | None = None
    image_credit: str | None = None
    image_caption: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object printed by ``broadsheet extract --json``."""
        data = asdict(self)
        data["authors"] = list(self.authors)
        for name in ("published", "updated"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data


@dataclass(frozen=True)
class Source:
    """A subscription as stored: where to poll and how it went last time."""

    id: int
    url: str
    title: str = ""
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    publishing_mode: str | None = None
    status: str = "active"
    error_count: int = 0
    last_error: str | None = None
    last_success: dt.datetime | None = None
    last_polled: dt.datetime | None = None
    next_poll: dt.datetime | None = None
    last_unconditional: dt.datetime | None = None
    pending_redirect: str | None = None
    """A permanent redirect seen on the last poll; confirmed by the next, it moves the source."""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def private(self) -> bool:
        """Whether the feed address carries a secret (or is not a web address): public
        views show the source's name but never its address (``public_address``)."""
        return public_address(self.url) is None

    @property
    def public_url(self) -> str | None:
        """The feed address as anonymous readers may see it, None when private."""
        return public_address(self.url)

    @property
    def public_site_url(self) -> str | None:
        """The site address as anonymous readers may see it, if any."""
        return public_address(self.site_url)

    @property
    def public_name(self) -> str:
        """What public views call the source: its title, else its public address."""
        return self.title or self.public_url or f"Source {self.id}"


@dataclass(frozen=True)
class Article:
    """An article ready to store: the feed item joined with what its page gave."""

    source_id: int
    entry_key: str
    title: str
    feed_link: str | None
    canonical_url: str | None
    text: str
    html: str
    summary: str = ""
    authors: tuple[str, ...] = ()
    published: dt.datetime | None = None
    published_offset: int | None = None
    """Minutes east of UTC the original timestamp was written in, kept for display."""
    updated: dt.datetime | None = None
    image: str | None = None
    image_credit: str | None = None
    image_caption: str | None = None
    site_name: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    extraction_method: str = "page"
    extraction_error: str | None = None
