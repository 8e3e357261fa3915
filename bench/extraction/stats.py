"""Fair comparison helpers: a fixed tuning/reporting split and a paired bootstrap.

Pages are split by a hash of their id, so the split never changes between runs or
machines and a gain tuned on one half can be checked on the other. The bootstrap
resamples pages (the same resample for both systems) and reports the 95% interval
of the difference of a score, ours minus the baseline.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
HALVES = ("tuning", "reporting")


def half_of(page_id: str) -> str:
    """The half a page belongs to: "tuning" or "reporting", fixed by its id's hash."""
    digest = hashlib.sha256(page_id.encode()).digest()
    return HALVES[digest[0] & 1]


def paired_bootstrap(
    ours: Sequence[T], theirs: Sequence[T], score: Callable[[Sequence[T]], float],
    *, rounds: int = 2000, seed: int = 15,
) -> tuple[float, float, float]:
    """Return (difference, low, high): score(ours) - score(theirs) and its 95% interval.

    Each round draws the same page indices, with replacement, for both systems.
    """
    if len(ours) != len(theirs):
        raise ValueError("paired bootstrap needs the same pages for both systems")
    count = len(ours)
    observed = score(ours) - score(theirs)
    if count == 0:
        return observed, observed, observed
    draw = random.Random(seed)
    differences = []
    for _ in range(rounds):
        picks = [draw.randrange(count) for _ in range(count)]
        differences.append(score([ours[i] for i in picks]) - score([theirs[i] for i in picks]))
    differences.sort()
    low = differences[int(0.025 * rounds)]
    high = differences[min(rounds - 1, int(0.975 * rounds))]
    return observed, low, high
