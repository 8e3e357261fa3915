"""Feed bytes to a ParsedFeed, whatever the format: the parse stage's one entry point.

::

    bytes ─► JSON?  ─► jsonfeed.parse_json_feed
      │
      ▼ encoding.decode_document    BOM > HTTP charset > XML declaration > meta; repaired
      ▼ safety.make_safe            DOCTYPE gone (its literal entities kept), HTML entities numeric
      ▼ lxml (no network, no DTD, no entity resolution, recovers from broken markup)
      ├─ <rss>, <rdf:RDF>  ─► rss.parse_rss     (in any namespace or none)
      ├─ <feed>            ─► atom.parse_atom   (in any namespace or none)
      └─ anything else (CDF <CHANNEL>...), or lxml gave up ─► feedparser on the same safe
         text (the fallback)

Only ``ParseError`` leaves this module.
"""

from __future__ import annotations

import logging
import re
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
    try:
        return _parse(body, url, content_type)
    except RecursionError as error:
        raise ParseError(f"parse: {url[:200]} is nested too deeply") from error
    except UnicodeError as error:
        raise ParseError(f"parse: undecodable text in {url[:200]}") from error


def _parse(body: bytes, url: str, content_type: str) -> ParsedFeed:
    if len(body) > MAX_DOCUMENT_CHARS:
        raise ParseError(f"parse: {url[:200]} is larger than {MAX_DOCUMENT_CHARS} bytes")
    if _looks_like_json(body, content_type):
        return parse_json_feed(body, url)
    text, _encoding = decode_document(body, content_type)
    safe = make_safe(strip_declaration(text))
    root = _root(safe, url)
    if root is not None:
        _ns, local = name(root)
        # Root names are read without regard to case (<RSS>, <Feed>): the fallback is
        # slow on hostile input, so it gets only what our readers cannot place at all.
        local = local.lower()
        if local in ("rss", "rdf"):
            return parse_rss(root, url, xml_base="xml:base" in safe)
        if local == "feed":
            return parse_atom(root, url)
        if local == "channel":  # CDF: a channel is a feed even before it has items
            return _fallback(safe, url, channel=True)
    return _fallback(safe, url)


def _fallback(safe: str, url: str, channel: bool = False) -> ParsedFeed:
    """feedparser's forgiving parser, for documents lxml cannot place.

    feedparser is quadratic on some input (nesting, its author e-mail regex, #562), so
    deep documents are refused and long text runs cut before it sees them.
    """
    from broadsheet.parse import _feedparser

    if _nesting_depth(safe) > MAX_FALLBACK_DEPTH:
        raise ParseError(f"parse: {url[:200]} is nested too deeply")
    try:
        return _feedparser.parse(_cap_text_runs(safe), url, channel=channel)
    except ParseError:
        raise
    except Exception as error:  # feedparser's own bugs must not escape the stage
        log.warning("feedparser failed", extra={"source_url": url, "error": repr(error)})
        raise ParseError(f"parse: feed parser failed on {url[:200]}: "
                         f"{type(error).__name__}") from None


MAX_FALLBACK_DEPTH = 256
"""libxml2's own default limit; feeds nest a handful of levels."""
MAX_FALLBACK_RUN = 2000
"""Longest run of text without markup handed to feedparser inside a short element."""
_TAG = re.compile(r"<(/?)[A-Za-z_][^<>]*?(/?)>")
# Text of the person elements feedparser runs its e-mail regex over.
_PERSON_TEXT = re.compile(
    r"(<(?:[A-Za-z_][\w.-]*:)?(?:author|creator|contributor|managingEditor|webMaster|name"
    r"|email|publisher)\b[^<>]*>)([^<]{%d,})" % MAX_FALLBACK_RUN, re.I)


def _nesting_depth(text: str) -> int:
    """The deepest element nesting in markup, read roughly (no parser involved)."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif not match.group(2):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_FALLBACK_DEPTH:
                    break
    return deepest


def _cap_text_runs(text: str) -> str:
    """Cut the text of person elements (names, e-mail addresses) to a sane length."""
    return _PERSON_TEXT.sub(lambda m: m.group(1) + m.group(2)[:200], text)


def parse_with_feedparser(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse through feedparser only (for comparison and the benchmark)."""
    text, _encoding = decode_document(body, content_type)
    return _fallback(make_safe(strip_declaration(text)), url)


__all__: list[Any] = ["parse_feed", "parse_with_feedparser"]
