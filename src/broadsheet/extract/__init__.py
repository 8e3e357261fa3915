"""Extract stage: a fetched page becomes a clean article with its metadata.

    bytes/str --decode, bound_page--> text --lxml--> tree --rules.drop--> tree
    tree --metadata, drop_chrome outside the article's container (site header)--> PageMeta
    tree --fallback date (read before pruning, after the header is gone)--> published
    tree --drop_chrome (widgets before the headline inside the container)--> tree
    tree --lazy images, captions out, rules.keep, prune_page--> tree
    tree --trafilatura quick pass (full pass if it found too little or too much)--> XML body
    body --prune_body, trim_chrome_edges--> body
    body shorter than the page's prose? --readability's block, then trafilatura on the
        unpruned page, each taken if a clear superset--> body
    body thin? --trafilatura's baseline instead--> body
    body --render--> text, HTML --sanitize_html (last)--> html

Nothing here touches the network: trafilatura and htmldate only ever get a tree.
Huge inputs are cut down first (``bounds``), so time and memory stay bounded.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import TypedDict

import trafilatura
from lxml import etree, html
from trafilatura.settings import Document

from broadsheet.errors import ExtractError
from broadsheet.extract.blocks import (
    READABILITY_SHORT,
    UNPRUNED_SHORT,
    cut_short,
    extends,
    readability_body,
)
from broadsheet.extract.boilerplate import prune_body, prune_page
from broadsheet.extract.chrome import drop_chrome, trim_chrome_edges
from broadsheet.extract.bounds import bound_page
from broadsheet.extract.dates import date_in_text, parse_date
from broadsheet.extract.decode import decode_html
from broadsheet.extract.images import (
    absolute,
    drop_lead_image,
    recover_lazy_images,
    split_caption,
    take_figure_captions,
)
from broadsheet.extract.language import detect_language
from broadsheet.extract.metadata import PageMeta, extract_metadata
from broadsheet.extract.render import body_to_html, body_to_text
from broadsheet.extract.rules import ExtractRules, drop_elements, kept_page, validate_rules
from broadsheet.extract.sanitize import sanitize_html
from broadsheet.types import ExtractedArticle

__all__ = ["ExtractRules", "excerpt", "extract_article", "sanitize_html", "validate_rules"]

log = logging.getLogger(__name__)


class TrafilaturaOptions(TypedDict):
    """The keyword arguments given to ``trafilatura.bare_extraction``."""

    fast: bool
    include_comments: bool
    include_tables: bool
    include_images: bool
    include_formatting: bool
    include_links: bool
    output_format: str
    with_metadata: bool


# Chosen with bench/extraction: fast off lets trafilatura fall back to its other
# algorithms when its own result is thin; comments (a separate body we never use) off.
TRAFILATURA_OPTIONS: TrafilaturaOptions = {
    "fast": False, "include_comments": False, "include_tables": True, "include_images": True,
    "include_formatting": True, "include_links": True, "output_format": "xml",
    "with_metadata": False,
}
# The quick pass is trusted when it finds between these shares of the page's
# sentence-long text: less missed the article, much more took in link lists.
_ENOUGH_PROSE = 0.6
_TOO_MUCH_PROSE = 2.5
_MIN_PROSE = 200
# Below this many characters trafilatura found no article; the baseline may, if it
# finds several times more.
_THIN = 250
_BASELINE_GAIN = 2
# Second opinions on a body cut short are asked only on pages of at most this many elements.
_OPINION_ELEMENTS = 15000
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
    "or ancestor::template)]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def parse_page(page: str | bytes) -> html.HtmlElement:
    """Parse a page into an lxml tree, or raise ExtractError when it is not a page at all."""
    if isinstance(page, bytes):
        page = decode_html(page)
    if not isinstance(page, str):
        raise ExtractError(f"extract: expected str or bytes, got {type(page).__name__}")
    page = _XML_DECLARATION.sub("", _CONTROL.sub("", bound_page(page)), count=1)
    if not page.strip():
        raise ExtractError("extract: empty page")
    try:
        tree = html.document_fromstring(page, parser=_PARSER)
    except (etree.LxmlError, ValueError) as e:
        raise ExtractError(f"extract: cannot parse page: {e}") from e
    if tree is None:
        raise ExtractError("extract: cannot parse page")
    return tree


def _bare_extraction(
    tree: html.HtmlElement, url: str | None, options: TrafilaturaOptions
) -> Document | None:
    """trafilatura's result for ``tree``: a Document, never a dict (``as_dict`` stays off)."""
    document = trafilatura.bare_extraction(tree, url=url, **options)
    return document if isinstance(document, Document) else None


def _extract_body(tree: html.HtmlElement, url: str | None, prose: int) -> etree._Element | None:
    """Run trafilatura's quick pass; when it finds little of the page's ``prose``, the full one."""
    options: TrafilaturaOptions = {**TRAFILATURA_OPTIONS, "fast": True}
    document = _bare_extraction(tree, url, options)
    found = len(document.raw_text or "") if document is not None else 0
    if found < _ENOUGH_PROSE * prose or (prose >= _MIN_PROSE and found > _TOO_MUCH_PROSE * prose):
        document = _bare_extraction(tree, url, TRAFILATURA_OPTIONS) or document
    return document.body if document is not None else None


def _baseline(
    tree: html.HtmlElement, body: etree._Element | None, text: str
) -> tuple[etree._Element | None, str]:
    """When little article was found (shops, landing pages), the page's own JSON-LD
    articleBody, <article> or paragraphs, if they give clearly more."""
    fallback, found, _size = trafilatura.baseline(tree)
    if fallback is None or len(found) < max(_THIN, _BASELINE_GAIN * len(text)):
        return body, text
    return fallback, body_to_text(fallback)


def _fallback_date(
    tree: html.HtmlElement, url: str | None, title: str | None
) -> dt.datetime | None:
    """Date for pages without date markup: the one printed by the headline, else htmldate's.

    htmldate runs only in its quick mode, on a tree capped in size: a budget, not a search.
    """
    text = " ".join(" ".join(_VISIBLE_TEXT(tree)[:5000]).split())[:30000]
    # The date shown by the headline (just above or below it), not one in the navigation.
    start = text.find(title) if title else -1
    if start >= 0:
        found = date_in_text(text[max(0, start - 200):start + 3000])
        if found:
            return found
    from htmldate import find_date  # noqa: PLC0415 - slow import, rarely needed

    quick = find_date(tree, url=url, original_date=True, extensive_search=False)
    return parse_date(quick) if quick else date_in_text(text[:10000])


def extract_article(
    html: str | bytes,  # noqa: A002
    url: str | None = None,
    *,
    rules: ExtractRules | None = None,
) -> ExtractedArticle:
    """Return the clean article and metadata found in one page's HTML.

    ``rules`` are the source's own selectors: ``drop`` matches are removed first,
    ``keep`` matches (when any match) are the only place the body is taken from.
    Raises ExtractError when the input cannot be parsed as a page or a selector is
    bad; a page without an article gives an empty ``text``.
    """
    if rules is not None:
        validate_rules(rules)
    tree = parse_page(html)
    try:
        return _extract(tree, url, rules)
    except (etree.LxmlError, ValueError, RecursionError) as e:
        log.warning("extract failed", extra={"source_url": url, "error": str(e)})
        raise ExtractError(f"extract: {type(e).__name__}: {e}") from e


def _clean_body(body: etree._Element, meta: PageMeta) -> tuple[list[str], str]:
    """Prune clutter and chrome from an extracted body; return removed credits and the text."""
    credits = prune_body(body, repeated=(meta.title, meta.description))
    trim_chrome_edges(body)
    return credits, body_to_text(body)


def _extract(
    tree: html.HtmlElement, url: str | None, rules: ExtractRules | None
) -> ExtractedArticle:
    if rules is not None and rules.drop:
        drop_elements(tree, rules)
    meta: PageMeta = extract_metadata(tree, url)
    times = len(tree.xpath("//time"))
    # The site's header goes before any date is read: "today" is not the article's date.
    if drop_chrome(tree, meta.title, inside=False) and len(tree.xpath("//time")) < times:
        meta = extract_metadata(tree, url)
    base = url or meta.canonical_url
    # Read before pruning: the date line often sits in a region pruning removes, or
    # above the headline inside the article's container (chrome dropped just after).
    published = meta.published or _fallback_date(tree, url, meta.title)
    drop_chrome(tree, meta.title)
    recover_lazy_images(tree)
    figure_src, caption, credit = take_figure_captions(tree)
    scope: html.HtmlElement | None = tree
    if rules is not None and rules.keep:
        # Only the matches count; none (a redesigned site) means no article here.
        scope = kept_page(tree, rules)
        if scope is None:
            log.warning("extract: no element matches the keep rules", extra={"source_url": url})
    body = unpruned = None
    prose = 0
    if scope is not None:
        # Kept for a second opinion: a pruned region may have been what held the story.
        # Opinions cost up to two more passes: huge pages (already bounded) go without.
        if scope.xpath("count(.//*)") <= _OPINION_ELEMENTS:
            unpruned = copy.deepcopy(scope)
        prose = prune_page(scope)
        body = _extract_body(scope, base, prose)
    text = article_html = ""
    body_image = None
    if body is not None and scope is not None and unpruned is not None:
        credits, text = _clean_body(body, meta)
        # The cheap opinion first; the second trafilatura pass only for a body still far short.
        opinions: tuple[tuple[float, Callable[[], etree._Element | None]], ...] = (
            (READABILITY_SHORT, lambda: readability_body(scope, base)),
            (UNPRUNED_SHORT, lambda: _extract_body(unpruned, base, prose)),
        )
        for share, opinion in opinions:
            if not cut_short(text, prose, share):
                continue
            fuller = opinion()
            if fuller is None:
                continue
            fuller_credits, fuller_text = _clean_body(fuller, meta)
            if extends(text, fuller_text):
                body, credits, text = fuller, fuller_credits, fuller_text
        if credit is None and credits:
            _caption, credit = split_caption(credits[0])
    if scope is not None and len(text) < _THIN:
        body, text = _baseline(scope, body, text)
    if body is not None:
        graphic = body.find(".//graphic")
        body_image = graphic.get("src") if graphic is not None else None
    image = meta.image or absolute(figure_src, base) or absolute(body_image, base)
    if body is not None:
        if image:  # the lead image is returned in ``image``: the body need not repeat it
            drop_lead_image(body, image, base)
        article_html = sanitize_html(body_to_html(body), base)
    return ExtractedArticle(
        title=meta.title,
        authors=meta.authors,
        published=published,
        updated=meta.updated,
        text=text,
        html=article_html,
        image=image,
        image_credit=credit,
        image_caption=caption,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        language=detect_language(text, meta.html_lang),
        description=meta.description,
    )


def excerpt(text: str, words: int = 60) -> str:
    """Return the opening paragraph(s) of ``text``, at most ``words`` words.

    Whole paragraphs are kept while they fit; a first paragraph that is too long
    is cut at the last sentence end within the limit, else at the limit with "…".
    """
    kept: list[str] = []
    count = 0
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        size = len(paragraph.split())
        if count + size <= words:
            kept.append(paragraph)
            count += size
            continue
        if not kept:
            kept.append(_cut(paragraph, words))
        break
    return "\n\n".join(kept)


def _cut(paragraph: str, words: int) -> str:
    head = " ".join(paragraph.split()[:words])
    end = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if end > len(head) // 3:
        return head[: end + 1]
    return head.rstrip(",;:—–- ") + "…"
