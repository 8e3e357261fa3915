"""Scores of the two benchmarks, implemented from their descriptions (no code copied).

AEB (Scrapinghub article-extraction-benchmark): case-sensitive ``\\w+`` tokens, 4-gram
shingles counted as multisets, per-page precision and recall, macro-averaged
(pages with empty output left out of the precision mean, pages with empty truth
out of the recall mean); F1 is the harmonic mean of the two averages.

WCXB: lower-cased ``\\w+`` bag of words, per-page precision/recall/F1, plain
means; leak rate is the share of the truth's ``without`` snippets found in the
output; miss rate the share of ``with`` snippets not found.
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import fmean

_WORD = re.compile(r"\w+")


def _shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    if 0 < len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def aeb_page(predicted: str, truth: str) -> tuple[float | None, float | None]:
    """Return (precision, recall) of one page; None where the page is left out."""
    pred, true = _shingles(predicted), _shingles(truth)
    overlap = sum((pred & true).values())
    precision = overlap / sum(pred.values()) if pred else None
    recall = overlap / sum(true.values()) if true else None
    return precision, recall


def aeb_score(pages: list[tuple[float | None, float | None]]) -> dict[str, float]:
    """Macro-average per-page (precision, recall); F1 of the averages."""
    precisions = [p for p, _ in pages if p is not None]
    recalls = [r for _, r in pages if r is not None]
    precision = fmean(precisions) if precisions else 0.0
    recall = fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def wcxb_page(predicted: str, truth: str) -> tuple[float, float, float]:
    """Return per-page bag-of-words (precision, recall, F1), lower-cased."""
    pred = Counter(_WORD.findall(predicted.lower()))
    true = Counter(_WORD.findall(truth.lower()))
    if not pred and not true:
        return 1.0, 1.0, 1.0
    overlap = sum((pred & true).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(true.values()) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def snippet_rates(predicted: str, with_: list[str], without: list[str]) -> tuple[int, int, int, int]:
    """Return (leaked, len(without), missing, len(with)) for one page."""
    text = _norm(predicted)
    leaked = sum(1 for s in without if _norm(s) and _norm(s) in text)
    missing = sum(1 for s in with_ if _norm(s) and _norm(s) not in text)
    return leaked, len(without), missing, len(with_)


def _letters(text: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]+", text.lower()))


def title_match(predicted: str | None, truth: str) -> bool:
    """Exact match after whitespace normalisation."""
    return " ".join((predicted or "").split()) == " ".join(truth.split())


def author_match(predicted: list[str], truth: str) -> bool:
    """The first author's name appears in the truth's byline, or the truth in ours."""
    if not predicted:
        return False
    ours, theirs = _letters(predicted[0]), _letters(truth)
    joined = _letters(", ".join(predicted))
    return bool(ours) and (ours in theirs or theirs in joined)


def date_match(predicted: str | None, truth: str) -> bool:
    """Same calendar day (ISO strings compared on their first ten characters)."""
    return bool(predicted) and predicted[:10] == truth[:10]
