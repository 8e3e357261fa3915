"""Per-source extraction rules: CSS selectors naming what to drop and what to keep.

Some sites defeat general heuristics (a comment thread marked up as the article,
a body split across odd containers). A source can then carry ``ExtractRules``:
``drop`` selectors remove elements before anything else reads the page, ``keep``
selectors, when given, name the only elements the article body is taken from.
Selectors are compiled once (cssselect, as lxml uses) and checked with
``validate_rules`` before they are saved.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import TypeVar

from cssselect import SelectorError
from lxml import etree, html
from lxml.cssselect import CSSSelector

from broadsheet.errors import ExtractError
from broadsheet.extract.boilerplate import remove_keep_tail

__all__ = ["ExtractRules", "validate_rules"]

_MAX_SELECTOR = 500
# Any lxml element: a page parsed by lxml.html keeps its HtmlElement type through here.
_E = TypeVar("_E", bound=etree._Element)


@dataclass(frozen=True)
class ExtractRules:
    """CSS selectors for one source: ``drop`` removed first, ``keep`` the only body source."""

    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


@functools.lru_cache(maxsize=512)
def _compile(selector: str) -> CSSSelector:
    if not isinstance(selector, str) or not selector.strip() or len(selector) > _MAX_SELECTOR:
        raise ExtractError(f"extract: bad selector {selector!r}: empty or too long")
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorError, etree.XPathError, ValueError) as e:
        raise ExtractError(f"extract: bad selector {selector!r}: {e}") from e


def validate_rules(rules: ExtractRules) -> None:
    """Raise ExtractError naming the first selector that cannot be used; else return."""
    for name in ("keep", "drop"):
        selectors = getattr(rules, name)
        if isinstance(selectors, str):
            raise ExtractError(f"extract: bad selector list for {name}: expected a tuple, got str")
        for selector in selectors:
            _compile(selector)


def _select(tree: _E, selectors: tuple[str, ...]) -> list[_E]:
    """Elements matched by any selector, outermost only, in document order."""
    found: set[_E] = set()
    for selector in selectors:
        found.update(e for e in _compile(selector)(tree) if isinstance(e.tag, str))
    ordered = [e for e in tree.iter() if e in found]
    outer = set()
    for element in ordered:
        if not any(a in outer for a in element.iterancestors()):
            outer.add(element)
    return [e for e in ordered if e in outer]


def drop_elements(tree: etree._Element, rules: ExtractRules) -> None:
    """Remove every element a ``drop`` selector matches (tails kept)."""
    for element in _select(tree, rules.drop):
        remove_keep_tail(element)


def kept_page(tree: html.HtmlElement, rules: ExtractRules) -> html.HtmlElement | None:
    """A new page whose body holds only the ``keep`` matches; None when nothing matches.

    The head is carried over so extraction still sees the page's metadata.
    """
    kept = _select(tree, rules.keep)
    if not kept:
        return None
    page = html.Element("html")
    head = tree.find("head")
    if head is not None:
        page.append(_copy(head))
    body = etree.SubElement(etree.SubElement(page, "body"), "article")
    for element in kept:
        body.append(_copy(element))
    return page


def _copy(element: _E) -> _E:
    copied = copy.deepcopy(element)
    copied.tail = None
    return copied
