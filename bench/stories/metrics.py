"""Scores for story grouping and de-duplication against labelled corpora."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping


def bcubed(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of ``predicted`` clusters against ``truth``."""
    pred_sizes = Counter(predicted.values())
    true_sizes = Counter(truth.values())
    both = Counter((predicted[i], truth[i]) for i in truth)
    precision = recall = 0.0
    for item in truth:
        shared = both[(predicted[item], truth[item])]
        precision += shared / pred_sizes[predicted[item]]
        recall += shared / true_sizes[truth[item]]
    n = len(truth)
    p, r = precision / n, recall / n
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pairwise(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 (pairs of items put in one cluster)."""
    def pairs(counter: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    both = pairs(Counter((predicted[i], truth[i]) for i in truth))
    pred = pairs(Counter(predicted[i] for i in truth))
    true = pairs(Counter(truth.values()))
    p = both / pred if pred else 1.0
    r = both / true if true else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def cluster_members(assignment: Mapping[str, str]) -> dict[str, list[str]]:
    """Invert ``{item: cluster}``."""
    members: dict[str, list[str]] = defaultdict(list)
    for item, cluster in assignment.items():
        members[cluster].append(item)
    return members
