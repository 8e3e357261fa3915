"""Images: lazy-loaded sources recovered, the lead image chosen, credits split off.

Lazy loading hides the real address in ``data-src`` or ``srcset`` (and a copy in
``<noscript>``); the sanitiser drops those, so they are recovered first.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src",
               "data-full-src", "data-lazy", "data-srcset", "data-lazy-srcset", "srcset")
_PLACEHOLDER = re.compile(r"^(data:|about:)|(blank|spacer|placeholder|pixel|transparent|lazy)"
                          r"[^/]*\.(gif|png|svg)", re.IGNORECASE)


def _best_from_srcset(srcset: str) -> str | None:
    """Return the widest candidate of a srcset (the last one when widths are absent)."""
    best, best_width = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts or parts[0].startswith("data:"):
            continue
        width = 0.0
        if len(parts) > 1:
            try:
                width = float(parts[1].rstrip("wx"))
            except ValueError:
                width = 0.0
        if width >= best_width:
            best, best_width = parts[0], width
    return best


def _real_source(img: etree._Element) -> str | None:
    """Return the image's real address, looking past placeholders."""
    src = (img.get("src") or "").strip()
    if src and not _PLACEHOLDER.search(src):
        return src
    for attr in _LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if not value:
            continue
        found = _best_from_srcset(value) if "srcset" in attr or "," in value else value
        if found and not _PLACEHOLDER.search(found):
            return found
    return None


def _noscript_images(noscript: etree._Element) -> list[etree._Element]:
    """Return the images inside a <noscript>, parsed as elements or still as text."""
    images = list(noscript.iter("img"))
    inner = "".join(noscript.itertext()).strip()
    if images or "<img" not in inner:
        return images
    try:
        fragments = html.fragments_fromstring(inner)
    except (etree.ParserError, ValueError):
        return []
    return [f for f in fragments if isinstance(f, etree._Element) and f.tag == "img"]


def recover_lazy_images(tree: etree._Element) -> None:
    """Give every ``<img>`` its real ``src`` and unwrap ``<noscript>`` image copies."""
    for noscript in list(tree.iter("noscript")):
        parent = noscript.getparent()
        images = _noscript_images(noscript)
        if parent is None or not images:
            continue
        # The <noscript> copy replaces a lazy sibling image, never duplicates it.
        for sibling in list(parent.iter("img")):
            if sibling not in images and _real_source(sibling) is None:
                sibling.getparent().remove(sibling)  # type: ignore[union-attr]
        noscript.addprevious(images[0])
        parent.remove(noscript)
    for img in tree.iter("img"):
        src = _real_source(img)
        if src is None:
            if img.get("src") is not None:
                del img.attrib["src"]
        else:
            img.set("src", src)


def absolute(url: str | None, base_url: str | None) -> str | None:
    """Return ``url`` made absolute against ``base_url``; None for unusable values."""
    if not url:
        return None
    url = url.strip()
    if url.lower().startswith(("data:", "javascript:", "vbscript:", "about:")):
        return None
    if base_url:
        try:
            return urljoin(base_url, url)
        except ValueError:
            return None
    return url if url.startswith(("http://", "https://")) else None


def same_image(one: str, other: str) -> bool:
    """Whether two absolute image addresses name one picture: the same address once the
    query and fragment are set aside, where sites put sizes and crops (``?w=800``)."""
    a, b = urlsplit(one), urlsplit(other)
    return (a.scheme, a.netloc.lower(), a.path) == (b.scheme, b.netloc.lower(), b.path)


def drop_lead_image(body: etree._Element, image: str, base_url: str | None) -> None:
    """Remove from trafilatura's XML ``body`` every picture that is ``image``, and the
    paragraph or figure left empty by it, so the article's HTML does not repeat it."""
    from broadsheet.extract.boilerplate import remove_keep_tail  # it imports this module

    for graphic in list(body.iter("graphic")):
        src = absolute(graphic.get("src"), base_url)
        if not src or not same_image(src, image):
            continue
        parent = graphic.getparent()
        if parent is None:
            continue
        remove_keep_tail(graphic)
        while parent is not body and len(parent) == 0 and not (parent.text or "").strip():
            above = parent.getparent()
            if above is None:
                break
            remove_keep_tail(parent)
            parent = above


_CREDIT = re.compile(
    r"^\s*[\(\[]?\s*(?:(?:photo|image|picture|video|illustration|graphic|foto|bild)s?"
    r"(?:\s+(?:credit|courtesy|by|source))?|credits?|source|courtesy(?:\s+of)?|copyright|"
    r"©|\(c\))\s*[:：©/\-–—]?\s+.{2,120}$",
    re.IGNORECASE,
)
_TRAILING_CREDIT = re.compile(
    r"\s*[\(\[]?\s*(?:(?:photo|image|picture|illustration)s?(?:\s+(?:credit|courtesy|by))?|"
    r"credit|©)\s*[:：©]?\s*([^()\[\]]{2,100}?)[\)\]]?\s*$",
    re.IGNORECASE,
)


def is_credit_line(text: str) -> bool:
    """True for a short line that only credits a photo ("Photo: Jane Roe / Agency")."""
    text = text.strip()
    return bool(text) and len(text) <= 160 and bool(_CREDIT.match(text))


def split_caption(text: str) -> tuple[str | None, str | None]:
    """Split a figure caption into (caption, credit), either may be None."""
    text = " ".join(text.split())
    if not text:
        return None, None
    if is_credit_line(text):
        return None, _strip_credit_label(text)
    match = _TRAILING_CREDIT.search(text)
    if match and match.start() > 0:
        caption = text[: match.start()].rstrip(" .,;-–—|")
        return (caption + "." if caption and caption[-1].isalnum() else caption) or None, \
            match.group(1).strip() or None
    return text, None


def _strip_credit_label(text: str) -> str:
    """Return the credit's names without the "Photo:" label or brackets."""
    text = text.strip().strip("()[]")
    label = re.match(
        r"^(?:(?:photo|image|picture|video|illustration|graphic|foto|bild)s?"
        r"(?:\s+(?:credit|courtesy|by|source))?|credits?|source|courtesy(?:\s+of)?|copyright)"
        r"\s*[:：/\-–—]?\s*",
        text, re.IGNORECASE,
    )
    return text[label.end():].strip() if label else text.strip()


_CREDIT_CLASS = re.compile(r"credit|copyright|byline|source|attribution", re.IGNORECASE)


def _element_text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def take_figure_captions(tree: etree._Element) -> tuple[str | None, str | None, str | None]:
    """Remove every figure caption from the page; return the lead figure's (src, caption, credit).

    Captions and credits are kept as fields of the article, never in its body.
    """
    lead: tuple[str | None, str | None, str | None] | None = None
    article = tree.find(".//article")
    scope = article if article is not None else tree
    for figure in list(scope.iter("figure")) + [e for e in tree.iter("figure") if lead is None]:
        img = figure.find(".//img")
        caption_element = figure.find(".//figcaption")
        if img is None or caption_element is None:
            continue
        credit = None
        for element in caption_element.iter():
            if _CREDIT_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
                credit = _element_text(element) or None
                if element is not caption_element:
                    element.getparent().remove(element)  # type: ignore[union-attr]
                break
        caption, inline_credit = split_caption(_element_text(caption_element))
        lead = (img.get("src"), caption, _strip_credit_label(credit) if credit else inline_credit)
        break
    for caption_element in list(tree.iter("figcaption")):
        parent = caption_element.getparent()
        if parent is not None:
            parent.remove(caption_element)
    return lead or (None, None, None)
