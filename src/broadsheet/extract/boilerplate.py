"""Clutter removal trafilatura leaves behind, by structure and by phrase.

Two passes: ``prune_page`` before extraction drops page regions whose class or id
names clutter (share bars, newsletter boxes, related links, comments...), unless
they hold much of the page's prose; ``prune_body`` after extraction drops blocks
that read as clutter: "Read more: ..." lines, photo credits, link-only lines,
"Most popular" lists and the links under them.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from broadsheet.extract.images import is_credit_line

# Tokens of class/id values (split on -, _, space, camelCase) that name clutter.
_CLUTTER_TOKENS = frozenset({
    "share", "sharing", "sharebar", "sharetools", "social", "newsletter", "newsletters",
    "subscribe", "subscription", "cookie", "cookies", "consent", "gdpr", "related",
    "recommended", "recommendations", "popular", "trending", "mostread", "mostpopular", "promo",
    "sponsored", "advert", "advertisement", "ad", "ads", "outbrain", "taboola", "comments",
    "disqus", "readmore", "alsoread", "breadcrumb", "breadcrumbs", "paywall", "signup",
    "authorbio", "sidebar", "modal", "popup", "nav", "navbar", "navigation", "menu", "footer",
    "caption", "figcaption", "credit", "sronly", "screenreader", "donate", "donation",
})
# A clutter word not glued to other letters or digits ("share-bar", "post_comments" and
# "mostpopular" match; "shared", "address", "1ad2" do not): compared as whole tokens.
_NAME_TOKEN = re.compile(r"[a-z0-9]+")
# Candidates: class and id values are matched as strings (few distinct ones, cached),
# so only their owners and the clutter tags, roles and hidden regions become elements.
_NAMES = etree.XPath("//@class | //@id")
_MARKED = etree.XPath("//nav | //aside | //footer | //form | //button | //*[@hidden] | //*[@role]")
_CLUTTER_ELEMENTS = frozenset({"nav", "aside", "footer", "form", "button"})
_KEEP_TAGS = frozenset({"html", "body", "main", "article", "p", "h1", "h2", "h3", "h4", "li",
                        "td", "tr", "table", "tbody", "blockquote", "pre", "code"})
_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "dialog",
                    "alertdialog", "search", "menu", "menubar"})


# Regions a page hides from readers; React's streamed boundaries ("S:1") are shown by script.
_SHOWN_BY_SCRIPT = re.compile(r"^[SP]:[0-9a-f]+$")


# Class/id strings repeat across a page and across pages of a site: remember verdicts
# (of plain strings: XPath results would keep their whole tree alive in the cache).
@functools.lru_cache(maxsize=16384)
def _clutter_name(names: str) -> bool:
    return not _CLUTTER_TOKENS.isdisjoint(_NAME_TOKEN.findall(names.lower()))


def _named_clutter(element: etree._Element) -> bool:
    if element.tag in _CLUTTER_ELEMENTS:
        return True
    if element.get("hidden") is not None and not _SHOWN_BY_SCRIPT.match(element.get("id") or ""):
        return True
    if (element.get("role") or "").lower() in _ROLES:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return len(names) > 1 and _clutter_name(names)


_PROSE_TEXT = etree.XPath(
    ".//text()[not(ancestor::a or ancestor::script or ancestor::style)]"
    "[string-length(normalize-space(.)) > 60]"
)


def _prose_by_element(tree: etree._Element) -> tuple[int, dict[etree._Element, int]]:
    """The page's prose length and each element's share of it, in one pass over the text."""
    totals: dict[etree._Element, int] = {}
    page = 0
    for text in _PROSE_TEXT(tree):
        size = len(text)
        page += size
        owner = text.getparent()
        if owner is not None and text.is_tail:
            owner = owner.getparent()
        while owner is not None:
            totals[owner] = totals.get(owner, 0) + size
            owner = owner.getparent()
    return page, totals


def prune_page(tree: etree._Element) -> int:
    """Remove regions of the page whose markup names them as clutter; return the prose left.

    A region holding much of the page's prose stays: markup names lie more often
    than the text does (a "sidebar-layout" wrapper around the whole story).
    """
    page_prose, prose = _prose_by_element(tree)
    limit = 0.15 * (page_prose or 1)
    candidates = {name.getparent() for name in _NAMES(tree) if _clutter_name(str(name))}
    candidates.update(_MARKED(tree))
    passing = {
        element for element in candidates
        if isinstance(element.tag, str) and element.tag not in _KEEP_TAGS
        and prose.get(element, 0) <= limit and _named_clutter(element)
    }
    # The outermost regions go; what they contain goes with them.
    doomed = [e for e in passing if not any(a in passing for a in e.iterancestors())]
    for element in doomed:
        remove_keep_tail(element)
    return page_prose - sum(prose.get(element, 0) for element in doomed)


def remove_keep_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# Lines that announce other content ("Read more: ...") or ask something of the reader.
# Phrases that are prompts wherever they start a short block...
_PROMPT = re.compile(
    r"^\s*[\[(]?\s*(?:read (?:more|also|next)|see (?:also|more)|also (?:read|see|on)|"
    r"more (?:from|on|about|stories|news|coverage)\b|related (?:articles?|stories|posts|content|"
    r"coverage|reading|news)|recommended (?:for you|stories|reading)|don'?t miss|must read|"
    r"further reading|trending (?:now|stories)|most (?:popular|read|viewed|shared)|sign up|"
    r"subscribe (?:to|for|now|here|today)|follow (?:us|me)|share (?:this|on|the|via)|click here|"
    r"tap here|join (?:us|our)|download (?:our|the)|get (?:our|the) (?:latest|newsletter)|"
    r"story continues|article continues|continue reading|"
    r"this (?:article|story) (?:was|is) (?:originally|first)|you (?:may|might) (?:also )?like|"
    r"top stories|latest (?:news|stories)|leave a (?:comment|reply)|we use cookies|"
    r"this (?:site|website) uses cookies|accept (?:all )?cookies|by continuing to|"
    r"all rights reserved|©|filed under|table of contents|jump to|skip to|back to (?:top|blog|news|"
    r"articles|all)|(?:next|previous|prev) (?:article|post|story)|\d+ min(?:ute)?s? read|"
    r"log in (?:to|or|now)|sign in (?:to|or)|register (?:now|today|for free)|"
    r"pin (?:this |it )?for later|leave a (?:star )?rating|(?:get|request) (?:a|your) (?:free )?quote|"
    r"(?:view|buy|shop|check (?:the )?price) (?:it )?(?:on|at) amazon)"
    # ...and single words that are prompts only as a label: "More: ...", "Advertisement".
    r"|^\s*[\[(]?\s*(?:read|see|also|more|watch|listen|related|recommended|trending|subscribe|"
    r"advertisement|sponsored|comments?|copyright|tags?|topics|categor(?:y|ies)|home|log ?in|"
    r"sign ?in|sign ?up|register|newsletters?|menu|search|previous|next|print|e-?mail|share)"
    r"\s*(?:[:|»›→>\]\)]|[-–—]\s|$)",
    re.IGNORECASE,
)
_SECTION_HEADING = re.compile(
    r"^\s*(?:related(?: (?:articles|stories|posts|content|coverage|reading|news))?|"
    r"(?:read|see) (?:more|also|next)|also read|more (?:from|on|about|stories|news|to read)\b.*|"
    r"most (?:popular|read|viewed|shared)|trending(?: now| stories)?|popular(?: posts| stories)?|"
    r"recommended(?: for you| stories| reading)?|you (?:may|might) (?:also )?(?:like|enjoy)|"
    r"top stories|latest (?:news|stories|posts)|comments?|\d+ comments?|leave a (?:comment|reply)|"
    r"(?:about|more by) the authors?|share(?: this(?: article| story)?)?|"
    r"sign up.*|subscribe.*|newsletter|tags?|topics?|editor'?s picks?|what to read next|"
    r"don'?t miss|further reading|keep reading|table of contents|contents|in this article|"
    r"on this page|jump to|related reads|article tags|newsletters?|more like this|"
    r"popular (?:articles|posts|stories|now)|"
    r"you (?:may|might) (?:also )?be interested.*)\s*:?\s*$",
    re.IGNORECASE,
)
_INLINE_CREDIT = re.compile(
    r"\s*[\(\[](?:photo|image|picture|illustration|video)s?(?:\s+credit)?\s*[:/]\s*[^)\]]{2,80}[\)\]]",
    re.IGNORECASE,
)
_BLOCKS = ("p", "head", "list", "quote", "table", "code", "graphic", "item")


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _link_share(element: etree._Element, text_length: int | None = None) -> float:
    text = len(_text(element)) if text_length is None else text_length
    if not text or element.find(".//ref") is None:
        return 0.0
    linked = sum(len(_text(ref)) for ref in element.iter("ref"))
    return linked / text


# Affiliate and sponsorship disclosures: about the page's business, not the story.
_DISCLOSURE = re.compile(
    r"\b(?:as an amazon associate|(?:we|i) (?:may )?(?:earn|receive) (?:a )?(?:small )?"
    r"(?:commission|fee)|affiliate (?:links?|commission)|(?:products|items) (?:are|were) "
    r"(?:independently )?(?:chosen|selected) (?:independently )?by our editors|"
    r"supported by (?:commissions|advertis))",
    re.IGNORECASE,
)


def is_clutter_line(element: etree._Element, text: str | None = None) -> bool:
    """True for a short block that points elsewhere, credits a photo or asks for action.

    ``text`` is the block's normalised text when the caller has it already.
    """
    text = _text(element) if text is None else text
    if not text:
        return element.tag not in ("graphic", "lb") and element.find(".//graphic") is None
    if is_credit_line(text):
        return True
    if len(text) < 400 and _DISCLOSURE.search(text):
        return True
    if len(text) < 200 and _PROMPT.match(text) and (
        len(text) < 80 or ":" in text[:25] or _link_share(element, len(text)) > 0.3
    ):
        return True
    return len(text) < 100 and element.tag != "head" and _link_share(element, len(text)) > 0.9


def _key(text: str | None) -> str:
    return re.sub(r"\W+", "", text or "").lower()


def _drop_repeated_head(body: etree._Element, repeated: tuple[str | None, ...]) -> None:
    """Drop leading blocks repeating the title or standfirst, already fields of the article."""
    title, *others = [_key(r) for r in repeated] or [""]
    for element in list(body)[:3]:
        key = _key(_text(element))
        keys = [title, *others] if element.tag == "head" else [title]
        if key and any(key == k for k in keys if len(k) > 10):
            body.remove(element)
        elif key:
            return


def prune_body(body: etree._Element, repeated: tuple[str | None, ...] = ()) -> list[str]:
    """Drop clutter blocks from trafilatura's XML body in place; return removed credits.

    ``repeated`` holds the title and description: leading blocks equal to them go.
    """
    _drop_repeated_head(body, repeated)
    credits: list[str] = []
    skipping = False
    for element in list(body):
        text = _text(element)
        if element.tag == "head" or (element.tag == "p" and len(text) < 60):
            if _SECTION_HEADING.match(text):
                skipping = True
                body.remove(element)
                continue
        if skipping and (element.tag == "list" or len(text) < 100
                         or _link_share(element, len(text)) > 0.5):
            body.remove(element)
            continue
        skipping = False
        if is_credit_line(text):
            credits.append(text)
        if element.tag in ("p", "head", "quote", "list", "item") and is_clutter_line(element, text):
            body.remove(element)
            continue
        if element.tag == "list" and len(text) < 400 and _link_share(element, len(text)) > 0.8:
            body.remove(element)
            continue
        _prune_nested(element)
        _strip_inline_credits(element)
    return credits


_NESTED = ("p", "item", "head")


def _prune_nested(element: etree._Element) -> None:
    """Drop prompts, credits and disclosures nested in lists, quotes and sections.

    Only what reads as clutter by its words: a nested link-only line may be a source.
    """
    if element.tag not in ("list", "quote", "div", "details"):
        return
    for child in [c for c in element.iter(*_NESTED) if c is not element]:
        text = _text(child)
        if text and (is_credit_line(text) or (len(text) < 400 and _DISCLOSURE.search(text)) or (
            len(text) < 120 and _PROMPT.match(text) and child.find(".//list") is None
        )):
            parent = child.getparent()
            if parent is not None:
                parent.remove(child)


def _strip_inline_credits(element: etree._Element) -> None:
    """Remove "(Photo: Jane Roe/Agency)" asides written inside a paragraph."""
    for node in element.iter():
        if node.text and "(" in node.text or node.text and "[" in node.text:
            node.text = _INLINE_CREDIT.sub("", node.text)
        if node is not element and node.tail and ("(" in node.tail or "[" in node.tail):
            node.tail = _INLINE_CREDIT.sub("", node.tail)
