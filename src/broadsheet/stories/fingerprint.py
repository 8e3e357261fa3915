"""Exact duplicates: the same words under different addresses are one article.

``normalize_text`` forgets what a re-publication changes without changing the
article (Unicode compatibility forms, case, punctuation, spacing);
``text_fingerprint`` hashes what is left. Near duplicates (other boilerplate, a
cut tail, light edits) are the job of ``near_duplicates``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["normalize_text", "text_fingerprint", "words"]

_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str) -> str:
    """Return ``text`` as NFKC, case-folded words separated by single spaces."""
    if text.isascii():  # the common case: NFKC is the identity, casefold is lower
        return _NOT_WORD.sub(" ", text.lower()).strip()
    folded = _nfkc(text).casefold()
    # Case-folding can leave text that NFKC would change again, hence the second pass.
    return _NOT_WORD.sub(" ", _nfkc(folded)).strip()


def _nfkc(text: str) -> str:
    # The quick check is much cheaper than normalising text that already is.
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def words(text: str) -> list[str]:
    """Split ``text`` into its normalised words (see ``normalize_text``)."""
    if text.isascii():
        return _WORD.findall(text.lower())
    return _WORD.findall(_nfkc(_nfkc(text).casefold()))


def text_fingerprint(text: str) -> str | None:
    """Return a 128-bit hex fingerprint of the normalised text, None if it has no words.

    Empty texts get no fingerprint so that every body-less article is not taken
    for a copy of every other.
    """
    normalized = normalize_text(text)
    if not normalized:
        return None
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).hexdigest()
