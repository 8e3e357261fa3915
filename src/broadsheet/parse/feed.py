"""Feed bytes to a ParsedFeed, whatever the format: the parse stage's one entry point.

::

    bytes ─► JSON?  ─► jsonfeed.parse_json_feed
      │
      ▼ encoding.decode_document    BOM > HTTP charset > XML declaration > meta; repaired
      ▼ safety.make_safe            DOCTYPE and entity declarations gone, HTML entities numeric
      ▼ lxml (no network, no DTD, no entity resolution, recovers from broken markup)
      ├─ <rss>, <rdf:RDF>  ─► rss.parse_rss
      ├─ <feed>            ─► atom.parse_atom
      └─ anything else, or lxml gave up ─► feedparser on the same safe text (the fallback)

Only ``ParseError`` leaves this module.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree

from broadsheet.errors import ParseError
from broadsheet.parse._common import name
from broadsheet.parse.atom import parse_atom
from broadsheet.parse.encoding import decode_document, strip_declaration
from broadsheet.parse.jsonfeed import parse_json_feed
from broadsheet.parse.rss import parse_rss
from broadsheet.parse.safety import MAX_DOCUMENT_CHARS, make_safe
from broadsheet.types import ParsedFeed

log = logging.getLogger("broadsheet.parse")


def _looks_like_json(body: bytes, content_type: str) -> bool:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        return True
    return "json" in content_type.lower() and head != b"<"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_pis=True, collect_ids=False,
        encoding="utf-8",
    )


def _root(text: str, url: str) -> etree._Element | None:
    try:
        root = etree.fromstring(text.encode("utf-8"), _parser(), base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse any supported feed format; raise ParseError when it is not a feed."""
    if len(body) > MAX_DOCUMENT_CHARS:
        raise ParseError(f"parse: {url[:200]} is larger than {MAX_DOCUMENT_CHARS} bytes")
    if _looks_like_json(body, content_type):
        return parse_json_feed(body, url)
    text, _encoding = decode_document(body, content_type)
    safe = make_safe(strip_declaration(text))
    root = _root(safe, url)
    if root is not None:
        _ns, local = name(root)
        try:
            if local in ("rss", "RDF"):
                return parse_rss(root, url, xml_base="xml:base" in safe)
            if local == "feed":
                return parse_atom(root, url)
        except RecursionError as error:
            raise ParseError(f"parse: {url[:200]} is nested too deeply") from error
    return _fallback(safe, url)


def _fallback(safe: str, url: str) -> ParsedFeed:
    """feedparser's forgiving parser, for documents lxml cannot place."""
    from broadsheet.parse import _feedparser

    try:
        return _feedparser.parse(safe, url)
    except ParseError:
        raise
    except Exception as error:  # feedparser's own bugs must not escape the stage
        log.warning("feedparser failed", extra={"source_url": url, "error": repr(error)})
        raise ParseError(f"parse: feed parser failed on {url[:200]}: "
                         f"{type(error).__name__}") from None


def parse_with_feedparser(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse through feedparser only (for comparison and the benchmark)."""
    text, _encoding = decode_document(body, content_type)
    return _fallback(make_safe(strip_declaration(text)), url)


__all__: list[Any] = ["parse_feed", "parse_with_feedparser"]
