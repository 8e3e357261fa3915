"""Make feed text safe and well-formed enough for a strict XML parser.

Feeds are untrusted input. Before any parser sees them: the document type
declaration is removed with its internal subset, so no external entity is ever
fetched and no entity bomb is ever expanded; only entities the subset declares as
plain literal text (no references inside) are substituted, within a budget; HTML
named entities (``&nbsp;``, ``&eacute;``), which RSS 0.91 allowed through its DTD,
become numeric references; unknown entities and bare ampersands become literal text;
characters XML forbids are dropped, and windows-1252 characters written as C1
character references (``&#146;``) become what they meant. CDATA sections and comments
are left untouched, even a comment that mentions ``<!DOCTYPE``.
"""

from __future__ import annotations

import html
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
# The root element's start tag, or what may come before it holding anything, '<b'
# included: a comment, a processing instruction, a document type declaration.
_ROOT_OR_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)"
                              r"|<!DOCTYPE(?:[^\[>]*\[.*?(?:\]\s*>|\Z)|[^>]*(?:>|\Z))"
                              r"|<[A-Za-z_]", re.I | re.S)
_PROLOGUE = re.compile(r"<!--.*?-->|" + _DOCTYPE.pattern, re.I | re.S)
# A general entity declared as literal text: nothing that could nest or fetch.
_ENTITY = re.compile(r"<!ENTITY\s+([A-Za-z][A-Za-z0-9]{0,31})\s+"
                     r"""(?:"([^"&%<]{0,1024})"|'([^'&%<]{0,1024})')\s*>""")
MAX_DECLARED = 64
MAX_EXPANSION = 1_000_000
"""Characters that declared entities may add to one document, in all."""
# UTF-8 bytes written one character reference each (&#226;&#128;&#166; for "…"): a lead
# byte (C2-F4) then continuation bytes (80-BF), the signature of double encoding.
_UTF8_REFS = re.compile(r"&#(?:19[4-9]|2[0-3][0-9]|24[0-4]);"
                        r"(?:&#(?:12[89]|1[3-8][0-9]|19[01]);){1,3}")


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


class _Declared:
    """``_fix`` that first substitutes the document's own literal entities, in budget."""

    def __init__(self, entities: dict[str, str]) -> None:
        self.entities = entities
        self.budget = MAX_EXPANSION

    def __call__(self, match: re.Match[str]) -> str:
        name = match.group(1)
        value = self.entities.get(name[:-1]) if name else None
        if value is None:
            return _fix(match)
        escaped = html.escape(value)
        if len(escaped) > self.budget:
            return _fix(match)
        self.budget -= len(escaped)
        return escaped


def _declared_entities(prologue: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ENTITY.finditer(prologue):
        if len(found) >= MAX_DECLARED:
            break
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found.setdefault(match.group(1), value)
    return found


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
    if not _allowed_char(code):
        return "\ufffd"
    if 0x80 <= code <= 0x9F:  # a windows-1252 byte written as a code point
        meant = bytes([code]).decode("cp1252", errors="ignore")
        return f"&#{ord(meant)};" if meant else match.group(0)
    if hexdigits is not None and match.group(0)[2] == "X":
        return f"&#x{hexdigits};"  # SGML allows &#X41;, XML only &#x41;
    return match.group(0)


def _utf8_refs(match: re.Match[str]) -> str:
    raw = bytes(int(code) for code in match.group(0)[2:-1].split(";&#"))
    try:
        return _numeric(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return match.group(0)


def _root_start(text: str) -> int:
    for match in _ROOT_OR_COMMENT.finditer(text):
        if match.group(0)[1:2] not in ("!", "?"):
            return match.start()
    return len(text)


def _keep_comments(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0).startswith("<!--") else ""


def _strip_prologue(text: str) -> tuple[str, dict[str, str]]:
    """The text without its document type declaration, and the literal entities it declared."""
    end = _root_start(text)
    if "<!" not in text[:end]:
        return text, {}
    head = text[:end]
    entities = _declared_entities(head) if "<!ENTITY" in head else {}
    return _PROLOGUE.sub(_keep_comments, head) + text[end:], entities


def strip_doctype(text: str) -> str:
    """Remove any document type declaration found before the root element."""
    return _strip_prologue(text)[0]


def make_safe(text: str) -> str:
    """Return text a non-validating XML parser can read without any entity expansion."""
    text, entities = _strip_prologue(text)
    if "&" in text:
        text = _FIXUPS.sub(_Declared(entities) if entities else _fix, text)
        if "&#" in text:
            text = _UTF8_REFS.sub(_utf8_refs, text)
            text = _CHARREF.sub(_fix_charref, text)
    if _FORBIDDEN.search(text):
        text = _FORBIDDEN.sub("", text)
    return text
