"""The last step of every page: an explicit allow-list, applied by nh3.

Whatever an earlier step let through, only these tags and attributes reach a
reader. Links and images become absolute; links get ``rel="nofollow noopener
noreferrer"``; scripts, styles, forms, frames, plugins, SVG and MathML are
dropped with their content; URLs may only be http(s) or mailto.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import nh3
from lxml import etree, html

from broadsheet.extract.images import recover_lazy_images

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "var",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# Dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "form", "button", "input", "select", "textarea", "noscript", "template", "head", "title",
    "meta", "base", "link", "canvas", "audio", "video", "source", "track", "noembed", "noframes",
    "dialog", "nav", "aside", "footer", "header",
})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = {"href", "src", "cite"}
_LAZY_HINT = re.compile(r"data-src|data-lazy|data-original|srcset|<noscript", re.IGNORECASE)
_REL = "nofollow noopener noreferrer"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Tracking pixels: images drawn 0 or 1 pixel wide or high, or hidden outright.
_PIXEL = re.compile(
    r"<img\b(?=[^>]*(?:\b(?:width|height)\s*=\s*[\"']?\s*[01](?:px)?\s*[\"'\s/>]"
    r"|display\s*:\s*none|visibility\s*:\s*hidden))[^>]*>", re.IGNORECASE)


def _url_filter(base_url: str | None) -> Callable[[str, str, str], str | None]:
    """nh3's attribute filter: URL attributes made absolute, other schemes dropped."""
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in _URL_ATTRIBUTES:
            return value
        value = value.strip()
        # Browsers ignore tabs, newlines and controls inside a URL: so does this check.
        compact = _URL_NOISE.sub("", value).lower()
        scheme = _SCHEME.match(compact)
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
        if base_url:
            try:
                return urljoin(base_url, value)
            except ValueError:
                return None
        return value

    return keep


def _recover_images(fragment: str) -> str:
    """Run lazy-image recovery on an HTML fragment, returning it serialised."""
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
        recover_lazy_images(root)
    except (etree.ParserError, ValueError):
        return fragment
    return (root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )


def _clean_once(fragment: str, base_url: str | None) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_url_filter(base_url),
        url_schemes=set(URL_SCHEMES),
        link_rel=_REL,
        strip_comments=True,
    )


def sanitize_html(html_text: str, base_url: str | None = None) -> str:
    """Return ``html_text`` reduced to the allow-list, with absolute links and images.

    Idempotent: sanitising the result again gives the same string.
    """
    if not html_text:
        return ""
    html_text = _PIXEL.sub("", _CONTROL.sub("", html_text))
    if _LAZY_HINT.search(html_text):
        html_text = _recover_images(html_text)
    cleaned = _clean_once(html_text, base_url)
    # html5ever may re-nest malformed markup on a second parse; settle to a fixpoint.
    for _ in range(3):
        again = _clean_once(_PIXEL.sub("", cleaned), base_url)
        if again == cleaned:
            break
        cleaned = again
    return cleaned.strip()
