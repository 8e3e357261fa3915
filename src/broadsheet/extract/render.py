"""Trafilatura's XML body turned into simple HTML and plain text.

The XML vocabulary is small (p, head, list/item, quote, hi, ref, graphic, table,
row, cell, lb, code, del); mapping it ourselves keeps the output under our control.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

_TAGS = {"list": "ul", "item": "li", "code": "pre", "quote": "blockquote", "lb": "br",
         "graphic": "img", "ref": "a", "row": "tr", "del": "s", "div": "div", "p": "p",
         "table": "table", "details": "details", "summary": "summary"}
_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def _html_tag(element: etree._Element, tag: str) -> str:
    """The HTML tag for ``element``, whose XML tag is ``tag``."""
    if tag == "head":
        rend = element.get("rend", "h3")
        level = rend[1:] if rend[:1] == "h" and rend[1:].isdigit() else "3"
        return f"h{min(max(int(level), 2), 6)}"
    if tag == "hi":
        return _HI.get(element.get("rend", "#i"), "em")
    if tag == "cell":
        return "th" if element.get("role") == "head" else "td"
    if tag == "list" and element.get("rend") == "ol":
        return "ol"
    return _TAGS.get(tag, "span")


def body_to_html(body: etree._Element) -> str:
    """Return the body as an HTML fragment (unsanitised)."""
    copy = deepcopy(body)  # a copy, not a re-parse of the serialised body
    for element in copy.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _html_tag(element, element.tag)
        attrs = dict(element.attrib)
        element.attrib.clear()
        if tag == "a" and attrs.get("target"):
            element.set("href", attrs["target"])
        elif tag == "img":
            for name in ("src", "alt", "title"):
                if attrs.get(name):
                    element.set(name, attrs[name])
        element.tag = tag
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in copy)


def body_to_text(body: etree._Element) -> str:
    """Return the body's plain text, one block per paragraph, blank line between."""
    paragraphs: list[str] = []
    _collect(body, paragraphs)
    return "\n\n".join(paragraphs)


_LEAVES = {"p", "head", "item", "code", "row"}
_CONTAINERS = {"list", "quote", "table", "div", "details", "body", "doc", "main"}


def _collect(element: etree._Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _CONTAINERS and any(c.tag in _LEAVES or c.tag in _CONTAINERS for c in child):
            _collect(child, out)
            continue
        if tag == "row":
            cells = (" ".join("".join(c.itertext()).split()) for c in child.iter("cell"))
            text = " | ".join(c for c in cells if c)
        elif tag == "code":
            text = "".join(child.itertext()).strip()
        elif tag == "graphic" or not isinstance(tag, str):
            continue
        else:
            text = " ".join("".join(child.itertext()).split())
        if text:
            out.append(text)
