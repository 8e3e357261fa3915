"""Feed bytes to text: the right encoding, found in the right order, repaired when mislabelled.

Order of evidence: a byte-order mark; UTF-16/32 without one, recognised by the
shape of ``<?``; the charset of the HTTP ``Content-Type``; the XML declaration; a
``<meta charset>``; else UTF-8. A label is then checked against the bytes: text
labelled Latin-1 or ASCII that is valid multi-byte UTF-8 is read as UTF-8, labels
that fail to decode give way to the next piece of evidence, and Latin-1 is read as
windows-1252 (as browsers do) so that curly quotes do not turn into control codes.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SHAPES = (
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_LATIN = {"iso-8859-1", "latin-1", "latin1", "l1", "iso8859-1", "us-ascii", "ascii",
          "cp1252", "windows-1252", "iso-8859-15", "iso8859-15", "ansi_x3.4-1968"}
_DECL_AT_START = re.compile(r"^\s*<\?xml[^>]*\?>")


def _normal(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _is_latin(label: str) -> bool:
    return label in _LATIN or label in {"latin-1", "iso8859-1", "cp1252", "ascii",
                                        "iso8859-15"}


def _has_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _windows_1252(body: bytes) -> str:
    """windows-1252, with its five undefined bytes read as Latin-1 rather than failing."""
    return body.decode("cp1252", errors="latin1fallback")


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start:error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("latin1fallback", _latin1_fallback)


def candidates(body: bytes, content_type: str = "") -> list[str]:
    """Encodings suggested by the evidence, strongest first (no BOM handling)."""
    found: list[str] = []
    head = body[:4]
    for shape, shape_name in _SHAPES:
        if head.startswith(shape):
            found.append(shape_name)
    header = _HEADER_CHARSET.search(content_type or "")
    decl = _XML_DECL.match(body[:512])
    meta = None if decl else _META.search(body[:4096])
    for match in (header, decl, meta):
        if match is None:
            continue
        raw = match.group(1)
        name = _normal(raw.decode("ascii", "ignore") if isinstance(raw, bytes) else raw)
        if name and name not in found:
            found.append(name)
    return found


_C1 = re.compile("[\x80-\x9f]")


def _cp1252(match: re.Match[str]) -> str:
    return match.group(0).encode("latin-1").decode("cp1252", errors="ignore") \
        or match.group(0)


def decode_document(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Return (text, encoding used); never raises, never yields mojibake from a wrong label.

    C1 control characters in UTF-8 (U+0092 for a right quote) were windows-1252 bytes
    carried over by a converter; they become what they meant.
    """
    text, name = _decode(body, content_type)
    # Only UTF-8 yields C1 controls in practice, each led by the byte C2: a cheap test.
    if name == "utf-8" and b"\xc2" in body and _C1.search(text):
        text = _C1.sub(_cp1252, text)
    return text, name


def _decode(body: bytes, content_type: str) -> tuple[str, str]:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    for name in candidates(body, content_type) or ["utf-8"]:
        if name.startswith("utf-16") or name.startswith("utf-32"):
            if body[:4] not in (b"<\x00?\x00", b"\x00<\x00?") and name in ("utf-16", "utf-32"):
                continue  # labelled UTF-16 but written in an 8-bit encoding
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue
        if _is_latin(name):
            if _has_multibyte_utf8(body):
                return body.decode("utf-8"), "utf-8"
            return _windows_1252(body), "cp1252"
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _windows_1252(body), "cp1252"


def strip_declaration(text: str) -> str:
    """Drop the XML declaration: the text is already decoded, its encoding label is stale."""
    return _DECL_AT_START.sub("", text, count=1)
