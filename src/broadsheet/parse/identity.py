"""Entry identity: what makes two sightings of an item the same item."""

from __future__ import annotations

import hashlib


def entry_key(guid: str | None, link: str | None, title: str, content: str) -> str:
    """The GUID/id if there is one; else the link; else a hash of title and content."""
    if guid and guid.strip():
        return "id:" + guid.strip()[:1000]
    if link and link.strip():
        return "link:" + link.strip()[:1000]
    digest = hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()
    return "hash:" + digest
