"""Titles without the site's name: "Headline | The Daily Example" becomes "Headline"."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+")


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _site_keys(site_name: str | None, url: str | None) -> set[str]:
    keys = set()
    if site_name:
        keys.add(_key(site_name))
    if url:
        host = urlsplit(url).hostname or ""
        parts = [p for p in host.split(".") if p not in {"www", "m", "amp", "edition", "news"}]
        if parts:
            keys.add(_key(".".join(parts)))
            keys.add(_key(parts[0] if len(parts) <= 2 else parts[-2]))
    keys.discard("")
    return keys


def _is_site(segment: str, keys: set[str]) -> bool:
    key = _key(segment)
    if not key:
        return True
    return any(key == k or (len(k) > 3 and (k in key or key in k)) for k in keys)


def strip_site_name(title: str, site_name: str | None, url: str | None) -> str:
    """Remove a leading or trailing segment naming the site."""
    keys = _site_keys(site_name, url)
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if not keys:
        # Without a site name, only a short segment after a pipe reads as one.
        head, _, tail = title.rpartition(" | ")
        return head.strip() if head and len(tail.split()) <= 4 else title
    if _is_site(parts[-1], keys):
        return _rejoin(title, parts[:-1])
    if _is_site(parts[0], keys) and len(parts[0].split()) <= 4:
        return _rejoin(title, parts[1:])
    return title


def _rejoin(title: str, kept: list[str]) -> str:
    """Return the part of ``title`` covering ``kept`` with its own separators intact."""
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(kept)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _overlap(one: str, other: str) -> float:
    """Share of the shorter title's words found in the other one."""
    a, b = _words(one), _words(other)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _drop_label(headline: str) -> str:
    """Drop short labels after a pipe ("... | Opinion", "... | Top 19 Companies").

    Headlines rarely contain pipes; when they do, the tail is a section or a teaser.
    """
    head, sep, tail = headline.rpartition(" | ")
    while sep and len(tail.split()) <= 4 and len(head.split()) >= 3:
        headline = head
        head, sep, tail = headline.rpartition(" | ")
    return headline


def clean_title(candidates: list[str | None], h1: str | None, site_name: str | None,
                url: str | None) -> str | None:
    """Choose the page's headline and strip the site name from it.

    The visible ``<h1>`` is what readers see as the headline, so it wins unless it
    only names the site; meta titles are the fallback (entities decoded, site name
    stripped). An all-capitals h1 gives way to a meta title with the same words.
    """
    found = [" ".join(html.unescape(c).split()) for c in candidates if c and c.strip()]
    keys = _site_keys(site_name, url)
    if h1 and 3 <= len(h1) <= 300 and not (keys and _is_site(h1, keys)) and (
        not found or max(_overlap(h1, candidate) for candidate in found) >= 0.3
    ):
        if h1.isupper():
            for candidate in found:
                stripped = strip_site_name(candidate, site_name, url)
                if _key(stripped) == _key(h1):
                    return stripped
        return _drop_label(h1)
    if not found:
        return h1
    return strip_site_name(found[0], site_name, url) or found[0]
