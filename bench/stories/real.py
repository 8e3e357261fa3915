"""Real labelled news for the stories benchmark, and the baselines measured beside ours.

The dev set lives outside the repository (``<project root>/../shared/eval-data/
news-clustering-dev``: NeuS triplets, title + lead, no dates, no sources). It is
read here and never copied. Articles without a date all get one fixed time, so
the time window plays no part; articles without a source get their own id as
source, so the same-outlet penalty plays no part either.

Baselines, computed in the same run as ours:

- every article alone (B-cubed precision 1 and the floor for recall);
- TF-IDF cosine + average-link agglomerative clustering cut at a threshold chosen
  on train. Same text fields (title and text) and the same tokenisation as ours
  (``_vectors``' token pattern, case folding and stop words), sublinear tf,
  smoothed IDF learned from the set being clustered.

Train is scored in chunks of about the size of val (whole stories, shuffled with a
fixed seed), so a threshold chosen on train meets as many confusable stories per
article as it will on val.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from broadsheet.stories._vectors import _TOKEN, STOPWORDS

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared/eval-data/news-clustering-dev"
FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def load_split(path: Path) -> list[dict]:
    """Articles of one split as the bench's items: id, story_id, title, text, published, source."""
    items = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            published = (dt.datetime.fromisoformat(row["date"]) if row.get("date")
                         else FIXED_TIME)
            if published.tzinfo is None:
                published = published.replace(tzinfo=dt.UTC)
            items.append({
                "id": row["id"], "story_id": row["cluster_id"], "title": row["title"] or "",
                "text": row["text"] or "", "published": published,
                "source": row.get("source") or row["id"],
            })
    return items


def chunks(items: list[dict], size: int, seed: int = 1) -> list[list[dict]]:
    """Split ``items`` into chunks of about ``size`` articles, keeping each story whole."""
    stories: dict[str, list[dict]] = {}
    for item in items:
        stories.setdefault(item["story_id"], []).append(item)
    keys = sorted(stories)
    random.Random(seed).shuffle(keys)
    count = max(1, round(len(items) / size))
    out: list[list[dict]] = [[] for _ in range(count)]
    for n, key in enumerate(keys):
        out[n % count].extend(stories[key])
    return out


def baseline_tokens(title: str, text: str) -> list[str]:
    """Title and text as the baseline reads them: ours' tokens, case-folded, no stop words."""
    terms = []
    for token in _TOKEN.findall(f"{title}\n{text}"):
        term = token.casefold()
        if term in STOPWORDS or (len(term) < 2 and not term.isdigit()):
            continue
        terms.append(term)
    return terms


def tfidf_matrix(items: Sequence[dict]) -> np.ndarray:
    """Unit rows of sublinear-tf, smoothed-IDF vectors (dense: the chunks are small)."""
    counts = [Counter(baseline_tokens(i["title"], i["text"])) for i in items]
    vocabulary: dict[str, int] = {}
    for count in counts:
        for term in count:
            vocabulary.setdefault(term, len(vocabulary))
    df = np.zeros(len(vocabulary))
    matrix = np.zeros((len(items), len(vocabulary)))
    for row, count in enumerate(counts):
        for term, c in count.items():
            matrix[row, vocabulary[term]] = 1.0 + math.log(c)
            df[vocabulary[term]] += 1
    idf = np.log((1 + len(items)) / (1 + df)) + 1.0
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def average_link_merges(sim: np.ndarray, floor: float = 0.02) -> list[tuple[int, int, float]]:
    """Agglomerative average-link merges (i, j, height) down to ``floor``, highest first.

    Average link has no inversions, so cutting at a threshold t is applying the
    merges whose height is at least t: one run serves every threshold.
    """
    s = sim.astype(np.float64).copy()
    n = len(s)
    np.fill_diagonal(s, -np.inf)
    sizes = np.ones(n)
    merges = []
    while n > 1:
        flat = int(np.argmax(s))
        i, j = divmod(flat, len(s))
        height = float(s[i, j])
        if height < floor:
            break
        merges.append((i, j, height))
        row = (sizes[i] * s[i] + sizes[j] * s[j]) / (sizes[i] + sizes[j])
        s[i, :] = row
        s[:, i] = row
        s[j, :] = -np.inf
        s[:, j] = -np.inf
        s[i, i] = -np.inf
        sizes[i] += sizes[j]
        n -= 1
    return merges


def cut(ids: Sequence[str], merges: list[tuple[int, int, float]], threshold: float
        ) -> dict[str, str]:
    """Clusters of ``ids`` after the merges at or above ``threshold``."""
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, height in merges:
        if height < threshold:
            break
        parent[find(j)] = find(i)
    return {ids[k]: ids[find(k)] for k in range(len(ids))}


def tfidf_agglomerative(items: Sequence[dict]) -> Callable[[float], dict[str, str]]:
    """The baseline on ``items``: returns the clustering at any threshold."""
    matrix = tfidf_matrix(items)
    merges = average_link_merges(matrix @ matrix.T)
    ids = [i["id"] for i in items]
    return lambda threshold: cut(ids, merges, threshold)


def singletons(items: Sequence[dict]) -> dict[str, str]:
    """Every article alone."""
    return {i["id"]: i["id"] for i in items}
