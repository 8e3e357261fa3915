"""The article's language: identified from its text, else declared by the page."""

from __future__ import annotations

import re

_MIN_TEXT = 120
# Enough words to tell languages apart; the model's cost grows with the sample.
_SAMPLE = 600
_LANG_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


def _identify(text: str) -> str | None:
    import py3langid  # noqa: PLC0415 - loading the model takes a moment; only when needed

    language, _score = py3langid.classify(text[:_SAMPLE])
    return str(language) or None


def detect_language(text: str, html_lang: str | None = None) -> str | None:
    """Return an ISO 639-1 code: py3langid on enough text, else ``<html lang>``."""
    declared = None
    if html_lang:
        match = _LANG_TAG.match(html_lang.strip())
        declared = match.group(1).lower() if match else None
    if len(text) >= _MIN_TEXT:
        return _identify(text) or declared
    return declared
