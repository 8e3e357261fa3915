"""Site chrome: the widgets a header carries (weather, today's date, clock, tickers,
markets, trending strips, edition pickers) never become part of a body.

Class names cannot be trusted (``c3f9a1``), so chrome is recognised by position and
shape. ``drop_chrome`` works on the page: whatever precedes the headline, inside the
article's container or just above it, and holds no prose or picture is not the
article. ``trim_chrome_edges`` works on the extracted body: blocks at its start or
end that read as a widget (only dates, numbers with units, weather words) or as a
link strip go.
"""

from __future__ import annotations

import re

from lxml import etree

from broadsheet.extract.boilerplate import remove_keep_tail

# Words a widget line is made of besides numbers: calendar and clock words, units,
# weather conditions. A line of only these (and numbers) is a reading, not a sentence.
_WIDGET_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
sat sun january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec am pm a m p gmt utc bst cet cest
est edt cst cdt mst mdt pst pdt ist aest aedt today c f k kmh km h mph hpa mb mm kt kts
clear sunny mostly partly mainly cloudy overcast clouds cloud rain rainy showers shower
drizzle snow snowy sleet hail fog foggy mist misty haze hazy thunderstorm thunderstorms
storm storms stormy windy breezy fair light heavy scattered isolated sky skies humidity
humid wind gusts dry wet cold hot warm mild chilly frost frosty freezing high low feels
like
""".split())
_TOKEN = re.compile(r"[^\W_]+(?:[.,:/'][^\W_]+)*")
_DIGIT = re.compile(r"\d")
_MEDIA = etree.XPath(".//figure | .//picture | .//video | .//iframe | .//img")
_HEADINGS = etree.XPath("//h1 | //h2")
_PROSE = etree.XPath(
    ".//text()[not(ancestor::a or ancestor::script or ancestor::style)]"
    "[string-length(normalize-space(.)) > 60]"
)
_SMALL_IMAGE = 100


def is_widget_line(text: str) -> bool:
    """True for a short line of dates, clock times, readings with units or weather words.

    "Tuesday, April 16, 2024", "32.8 C", "18°F Partly cloudy", "14:05 GMT",
    "Sunny 21°" are; "Serves 4", "€51,95 €64,95" and sentences are not.
    """
    if len(text) > 160:
        return False
    known = other = words = 0
    for token in _TOKEN.findall(text):
        if _DIGIT.search(token):
            known += 1
        elif token.lower() in _WIDGET_WORDS:
            known += 1
            words += 1
        else:
            other += 1
    # A unit, day or weather word is needed: bare figures may be prices or scores.
    return words >= 1 and known >= 2 and 2 * other <= known


def _key(text: str | None) -> str:
    return re.sub(r"\W+", "", text or "").lower()


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def find_headline(tree: etree._Element, title: str | None) -> etree._Element | None:
    """The ``h1``/``h2`` showing the article's title, else the page's only ``h1``."""
    key = _key(title)
    headings: list[etree._Element] = _HEADINGS(tree)
    if len(key) > 10:
        for heading in headings:
            shown = _key(_text(heading))
            if len(shown) > 10 and (shown == key or shown in key or key in shown):
                return heading
    h1s = [h for h in headings if h.tag == "h1"]
    return h1s[0] if len(h1s) == 1 else None


def _has_picture(element: etree._Element) -> bool:
    for media in _MEDIA(element):
        if media.tag != "img":
            return True
        sizes = [media.get("width") or "", media.get("height") or ""]
        if not any(s.isdigit() and int(s) < _SMALL_IMAGE for s in sizes):
            return True
    return False


def _is_chrome(element: etree._Element) -> bool:
    if not isinstance(element.tag, str) or element.tag in ("script", "style", "template"):
        return False
    return not _PROSE(element) and not _has_picture(element)


def drop_chrome(tree: etree._Element, title: str | None, *, inside: bool = True) -> bool:
    """Remove what precedes the headline and holds no prose or picture; True if any went.

    Walking up from the headline, every earlier sibling at every level is the
    container's own header or the page's: kickers, widgets, tickers, navigation.
    The container is the headline's first ancestor holding prose; ``inside=False``
    removes only the chrome outside it (the site's header, where "today" is shown),
    so a date line inside the container can still date the article. A page whose
    headline cannot be found is left alone.
    """
    headline = find_headline(tree, title)
    if headline is None:
        return False
    dropped = False
    within = True
    child = headline
    for parent in headline.iterancestors():
        if inside or not within:
            for sibling in list(child.itersiblings(preceding=True)):
                if _is_chrome(sibling):
                    remove_keep_tail(sibling)
                    dropped = True
        if within and _PROSE(parent):
            within = False
        if parent.tag == "body":
            break
        child = parent
    return dropped


def _link_share(element: etree._Element, text: str) -> float:
    linked = sum(len(_text(ref)) for ref in element.iter("ref"))
    return linked / len(text) if text else 0.0


def _is_edge_chrome(element: etree._Element, last: bool) -> bool:
    if element.tag == "graphic":
        return False
    text = _text(element)
    if not text:
        return element.find(".//graphic") is None
    if is_widget_line(text):
        return True
    # A strip of several links (trending, editions); one link may be a cited source.
    if len(text) < 400 and len(element.findall(".//ref")) > 1 and _link_share(element, text) > 0.6:
        return True
    # A heading that closes the body introduces nothing: the strip it named is gone.
    return last and element.tag == "head"


def trim_chrome_edges(body: etree._Element) -> None:
    """Drop widget lines and link strips from the start and the end of an extracted body.

    The body's first and last blocks are where a container's own chrome ends up: a
    date, a reading, a trending strip. A block that reads as text stops the trimming.
    """
    blocks = list(body)
    while len(blocks) > 1 and _is_edge_chrome(blocks[0], last=False):
        body.remove(blocks.pop(0))
    while len(blocks) > 1 and _is_edge_chrome(blocks[-1], last=True):
        body.remove(blocks.pop())
