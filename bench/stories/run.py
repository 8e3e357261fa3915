"""Benchmark the stories stage on a labelled corpus: quality and speed.

    .venv/bin/python bench/stories/run.py [--sizes 10000,100000] [--quality 20000]

Quality: B-cubed and pairwise P/R/F1 of ``cluster_articles`` against the true
events, near-duplicate recall on wire copies and the number of same-story pairs
from different outlets wrongly taken for duplicates. Speed: every layer
(canonical URL, fingerprint, MinHash index, clustering) per article at each size,
next to a baseline measured in the same run (tokenising the text), so the ratio
shows whether the cost per article grows with the archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from metrics import bcubed, pairwise  # noqa: E402

from broadsheet.stories.canonical_url import canonicalize_url  # noqa: E402
from broadsheet.stories.cluster import ClusterInput, StoryClusterer, cluster_articles  # noqa: E402
from broadsheet.stories.fingerprint import text_fingerprint, words  # noqa: E402
from broadsheet.stories.near_duplicates import NearDuplicateIndex, minhash_signature  # noqa: E402


def load_corpus(seed: int, n: int) -> list[dict]:
    """The demo newsroom's labelled corpus."""
    from broadsheet.demo.generate import generate_story_corpus

    items = list(generate_story_corpus(seed, n))
    for item in items:
        item["published"] = dt.datetime.fromisoformat(str(item["published"]))
    return items


def to_input(item: dict) -> ClusterInput:
    return ClusterInput(item["id"], item["title"], item["text"], item["published"], item["source"])


def quality(items: list[dict], threshold: float | None) -> None:
    kwargs = {} if threshold is None else {"threshold": threshold}
    truth = {i["id"]: i["story_id"] for i in items}
    started = time.perf_counter()
    predicted = cluster_articles([to_input(i) for i in items], **kwargs)
    took = time.perf_counter() - started
    p, r, f = bcubed(predicted, truth)
    pp, pr, pf = pairwise(predicted, truth)
    print(f"clustering n={len(items)} stories true={len(set(truth.values()))} "
          f"predicted={len(set(predicted.values()))} ({took:.1f}s)")
    print(f"  B-cubed P={p:.3f} R={r:.3f} F1={f:.3f}   pairwise P={pp:.3f} R={pr:.3f} F1={pf:.3f}")
    kinds = Counter(i["kind"] for i in items)
    print(f"  kinds {dict(kinds)}")
    near_duplicates(items)


def near_duplicates(items: list[dict]) -> None:
    index = NearDuplicateIndex()
    by_id = {i["id"]: i for i in items}
    found = wires = false_same_story = false_other = 0
    for item in sorted(items, key=lambda i: (i["published"], i["id"])):
        match = index.add(item["id"], item["text"])
        if item["kind"] == "wire":
            wires += 1
            target = by_id[item["duplicate_of"]]
            found += match is not None and by_id[match]["story_id"] == target["story_id"]
        if match is not None and not _same_text_family(item, by_id[match], by_id):
            if by_id[match]["story_id"] == item["story_id"]:
                false_same_story += 1
            else:
                false_other += 1
    print(f"  near-dup recall {found}/{wires} = {found / max(wires, 1):.4f}; wrongly merged: "
          f"same-story other-outlet {false_same_story}, other stories {false_other}")


def _same_text_family(a: dict, b: dict, by_id: dict) -> bool:
    """Two articles are copies when one is a wire of the other or both copy one original."""
    root_a = a["duplicate_of"] or a["id"]
    root_b = b["duplicate_of"] or b["id"]
    return root_a == root_b


def speed(items: list[dict]) -> None:
    n = len(items)
    timings: dict[str, float] = {}

    def timed(name, fn):
        started = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - started

    timed("baseline: words()", lambda: [words(i["text"]) for i in items])
    timed("canonicalize_url", lambda: [canonicalize_url(i["url"]) for i in items])
    timed("text_fingerprint", lambda: [text_fingerprint(i["text"]) for i in items])
    index = NearDuplicateIndex()
    timed("near-dup add", lambda: [index.add(i["id"], i["text"]) for i in items])
    clusterer = StoryClusterer()
    ordered = sorted(items, key=lambda i: (i["published"], i["id"]))
    timed("cluster assign", lambda: [clusterer.assign(to_input(i)) for i in ordered])
    total = sum(v for k, v in timings.items() if not k.startswith("baseline"))
    base = timings["baseline: words()"]
    print(f"speed n={n}: all layers {total:.1f}s = {total / n * 1e6:.0f} us/article "
          f"({total / base:.1f}x baseline)")
    for name, value in timings.items():
        print(f"  {name:18s} {value / n * 1e6:7.0f} us/article  ({value / base:.2f}x baseline)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quality", type=int, default=20000)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    if args.quality:
        quality(load_corpus(args.seed, args.quality), args.threshold)
    for size in filter(None, args.sizes.split(",")):
        speed(load_corpus(args.seed, int(size)))


if __name__ == "__main__":
    main()
