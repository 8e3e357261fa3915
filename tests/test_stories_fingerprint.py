"""Exact fingerprints: same normalised words, same fingerprint."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from broadsheet.stories.fingerprint import normalize_text, text_fingerprint, words


def test_normalize_text_forgets_case_punctuation_spacing_and_compatibility_forms() -> None:
    assert normalize_text("  Hello,\u00a0WORLD!\n\n“Fine”  ﬁne  Straße ") == (
        "hello world fine fine strasse"
    )
    assert words("It's 3.5% — up!") == ["it", "s", "3", "5", "up"]


def test_same_text_under_other_spelling_has_one_fingerprint() -> None:
    a = "Bridge reopens after 18 months.\n\nTraffic returned on Tuesday."
    b = "BRIDGE REOPENS AFTER 18 MONTHS  traffic returned on tuesday"
    assert text_fingerprint(a) == text_fingerprint(b)
    assert text_fingerprint(a) != text_fingerprint(a + " Later.")
    assert len(text_fingerprint(a) or "") == 32


def test_texts_without_words_have_no_fingerprint() -> None:
    assert text_fingerprint("") is None
    assert text_fingerprint(" -- ... ") is None


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert words(text) == once.split()
    assert text_fingerprint(once) == text_fingerprint(text)
