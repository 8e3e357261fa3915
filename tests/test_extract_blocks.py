"""Content-block choice: readability's block replaces a body only as a clear superset."""

from __future__ import annotations

from broadsheet.extract.blocks import contained_share, extends

_SENTENCES = [
    f"Paragraph {n} of the council report says the bridge over the river will close for "
    f"repairs in week {n}, and that buses will run every {n + 5} minutes instead."
    for n in range(1, 13)
]


def _text(indices: range) -> str:
    return "\n\n".join(_SENTENCES[i] for i in indices)


def test_contained_share_counts_repeated_words():
    assert contained_share("a b c d", "a b c d e f") == 1.0
    assert contained_share("a a b b", "a b") == 0.5
    assert contained_share("", "a b") == 0.0


def test_a_fuller_superset_extends_the_body():
    assert extends(_text(range(4, 8)), _text(range(12)))


def test_a_few_extra_lines_do_not_replace_a_complete_body():
    body = _text(range(10))
    with_bio = body + "\n\nThe writer is a reporter covering transport. Contact them with tips."
    assert not extends(body, with_bio)


def test_another_region_of_the_page_does_not_replace_the_body():
    other = "\n\n".join(f"Listing entry {n} describes a different product with a long "
                        f"description of its size, colour and price of {n} euros." for n in range(30))
    assert not extends(_text(range(4)), other)
