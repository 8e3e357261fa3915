"""Titles without the site's name: "Headline | The Daily Example" becomes "Headline"."""

from __future__ import annotations

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


def clean_title(candidates: list[str | None], h1: str | None, site_name: str | None,
                url: str | None) -> str | None:
    """Choose the page's headline and strip the site name from it."""
    found = [" ".join(c.split()) for c in candidates if c and c.strip()]
    if h1 and found:
        h1_key = _key(h1)
        for candidate in found:
            key = _key(candidate)
            if h1_key and (h1_key == key or (len(h1_key) > 10 and h1_key in key)):
                return h1
    if not found:
        return h1
    return strip_site_name(found[0], site_name, url) or found[0]
