"""Bytes to text: the page's own declaration first, then UTF-8, then Windows-1252.

Order follows the HTML standard's sniffing, without guessing from statistics:
a byte-order mark wins, then a ``<meta charset>`` in the first few kilobytes.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
# Browsers read these labels as their supersets; so do we.
_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "iso-8859-9": "cp1254", "tis-620": "cp874",
            "gb2312": "gb18030", "gbk": "gb18030", "x-sjis": "shift_jis"}


def declared_encoding(data: bytes) -> str | None:
    """Return the Python codec named by the page's BOM or meta charset, if usable."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page that says UTF-16 in ASCII bytes is not UTF-16 (the standard agrees).
    return "utf-8" if name.startswith("utf-16") else name


def _single_byte(name: str) -> bool:
    return name.startswith(("cp125", "iso8859", "latin", "mac-", "koi8", "cp874", "cp437"))


def decode_html(data: bytes) -> str:
    """Decode a page's bytes, never failing: declared codec, UTF-8, then cp1252."""
    name = declared_encoding(data)
    if name and _single_byte(name) and not data.isascii():
        # Valid multi-byte UTF-8 is almost never real legacy text: the label is stale.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if name:
        bom_free = data
        for bom, bom_name in _BOMS:
            if bom_name == name and data.startswith(bom):
                bom_free = data[len(bom):]
        try:
            return bom_free.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
