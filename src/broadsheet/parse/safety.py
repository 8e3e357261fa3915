"""Make feed text safe and well-formed enough for a strict XML parser.

Feeds are untrusted input. Before any parser sees them: the document type
declaration is removed with its internal subset, so no external entity is ever
fetched and no entity bomb is ever expanded; HTML named entities (``&nbsp;``,
``&eacute;``), which RSS 0.91 allowed through its DTD, become numeric references;
unknown entities and bare ampersands become literal text; characters XML forbids
are dropped. CDATA sections and comments are left untouched.
"""

from __future__ import annotations

import re
from html.entities import html5

MAX_DOCUMENT_CHARS = 16 * 1024 * 1024
"""Documents longer than this are refused before parsing."""

_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
# A DOCTYPE with an optional internal subset; the subset may itself contain '>'.
_DOCTYPE = re.compile(r"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.I | re.S)
_FIXUPS = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->"
    r"|&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)([A-Za-z][A-Za-z0-9]{0,31};)?",
    re.S,
)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A character reference is one of these when it names something XML forbids: NUL and
# other C0 controls, surrogates, U+FFFE/U+FFFF and anything past U+10FFFF.
_CHARREF = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
_ROOT_START = re.compile(r"<[A-Za-z_]")


def _numeric(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def _fix(match: re.Match[str]) -> str:
    whole = match.group(0)
    if whole[0] == "<":
        return whole
    name = match.group(1)
    if name is None:
        return "&amp;"
    value = html5.get(name) or html5.get(name.lower())
    if value is not None:
        return _numeric(value)
    return "&amp;" + name


def _allowed_char(code: int) -> bool:
    if code < 0x20:
        return code in (0x09, 0x0A, 0x0D)
    return not (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF) or code > 0x10FFFF)


def _fix_charref(match: re.Match[str]) -> str:
    digits, hexdigits = match.groups()
    try:
        code = int(digits, 10) if digits is not None else int(hexdigits, 16)
    except ValueError:
        return "\ufffd"
    return match.group(0) if _allowed_char(code) else "\ufffd"


def strip_doctype(text: str) -> str:
    """Remove any document type declaration found before the root element."""
    root = _ROOT_START.search(text)
    prologue_end = root.start() if root else len(text)
    if "<!" not in text[:prologue_end]:
        return text
    head = _DOCTYPE.sub("", text[:prologue_end])
    return head + text[prologue_end:]


def make_safe(text: str) -> str:
    """Return text a non-validating XML parser can read without any entity expansion."""
    text = strip_doctype(text)
    if "&" in text:
        text = _FIXUPS.sub(_fix, text)
        if "&#" in text:
            text = _CHARREF.sub(_fix_charref, text)
    if _FORBIDDEN.search(text):
        text = _FORBIDDEN.sub("", text)
    return text
