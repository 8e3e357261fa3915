"""Huge pages made small enough to parse: time and memory stay bounded on any input.

lxml's tree takes tens of bytes of memory per byte of markup, and extraction time
grows with the tree. Pages above ``MAX_PAGE_CHARS`` first lose the bodies of
scripts, styles and inline SVG (the usual bulk of a heavy page; JSON-LD stays),
then, if still too long, are cut at a tag boundary. Articles sit near the top.
"""

from __future__ import annotations

import re

MAX_PAGE_CHARS = 1_500_000
_MAX_LD_JSON = 200_000
_HEAVY_OPEN = re.compile(r"<(script|style|svg|template)\b[^>]*>", re.IGNORECASE)
_HEAVY_CLOSE = {name: re.compile(f"</{name}", re.IGNORECASE)
                for name in ("script", "style", "svg", "template")}


def bound_page(page: str, limit: int = MAX_PAGE_CHARS) -> str:
    """Return ``page`` unchanged when short, else without heavy bodies, cut to ``limit``."""
    if len(page) <= limit:
        return page
    page = _drop_heavy_bodies(page)
    if len(page) <= limit:
        return page
    cut = page.rfind("<", limit - 4096, limit)
    return page[: cut if cut > 0 else limit]


def _drop_heavy_bodies(page: str) -> str:
    """Empty script, style, svg and template elements in one linear scan."""
    parts: list[str] = []
    position = 0
    for match in _HEAVY_OPEN.finditer(page):
        if match.start() < position:
            continue  # inside a body already skipped
        name = match.group(1).lower()
        close = _HEAVY_CLOSE[name].search(page, match.end())
        end = close.start() if close else len(page)
        keep_body = "ld+json" in match.group(0).lower() and end - match.end() <= _MAX_LD_JSON
        parts.append(page[position : match.end()])
        if keep_body:
            parts.append(page[match.end() : end])
        position = end
    parts.append(page[position:])
    return "".join(parts)
