"""Benchmark the stories stage on labelled corpora: quality and speed.

    .venv/bin/python bench/stories/run.py [--data DIR]          # real news (the yardstick)
    .venv/bin/python bench/stories/run.py --synthetic [--sizes 10000,100000] [--quality 20000]
    .venv/bin/python bench/stories/run.py --desk 10000,100000 [--workers 2]

Real news (default): the dev set's train and val splits (see ``real.py``), read from
``<project root>/../shared/eval-data/news-clustering-dev`` unless ``--data`` says
otherwise. Ours (``cluster_articles`` with the product's defaults, which
``tune.py`` chose on train) is scored on val beside two baselines computed in the
same run: every article alone, and TF-IDF + average-link agglomerative with its
threshold chosen on train. The report says what was tuned on which split.

Synthetic (``--synthetic``, a regression mode): the demo generator's corpus.
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
sys.path.insert(0, str(Path(__file__).parents[2]))  # for bench.common

from metrics import bcubed, pairwise  # noqa: E402

from broadsheet.stories.canonical_url import canonicalize_url  # noqa: E402
from broadsheet.stories.cluster import (  # noqa: E402
    ClusterInput,
    StoryClusterer,
    article_terms,
    cluster_articles,
)
from broadsheet.stories.fingerprint import text_fingerprint, words  # noqa: E402
from broadsheet.stories.near_duplicates import (  # noqa: E402
    MinHashSignature,
    NearDuplicateIndex,
    minhash_signature,
)


def load_corpus(seed: int, n: int) -> list[dict]:
    """The demo newsroom's labelled corpus."""
    from bench.common.corpus import generate_story_corpus

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
    stressed_copies(items)


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


_BOILERPLATE = (
    "Sign up for our morning newsletter to get the top stories in your inbox every day.",
    "Copyright the news agency. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Follow us on social media for the latest updates and join the conversation in comments.",
    "Reporting by our correspondents; editing by the night desk.",
)


def stressed_copies(items: list[dict], seed: int = 1, count: int = 2000) -> None:
    """Harder reprints than the corpus has: cut to 55-100%, 5% of words edited, new boilerplate."""
    import random

    rng = random.Random(seed)
    originals = [i for i in items if i["kind"] == "original"]
    sample = rng.sample(originals, min(count, len(originals)))
    index = NearDuplicateIndex()
    for item in originals:
        index.add(item["id"], item["text"])
    found = 0
    for item in sample:
        tokens = item["text"].split(" ")
        tokens = tokens[: max(8, int(len(tokens) * rng.uniform(0.55, 1.0)))]
        for _ in range(len(tokens) // 20):
            tokens[rng.randrange(len(tokens))] = rng.choice(["also", "then", "now", "however"])
        text = rng.choice(_BOILERPLATE) + " " + " ".join(tokens) + " " + rng.choice(_BOILERPLATE)
        found += index.query(minhash_signature(text)) == item["id"]
    print(f"  stressed reprints (cut 55-100%, 5% edits, boilerplate): recall {found}/{len(sample)}"
          f" = {found / max(len(sample), 1):.4f}")


def _same_text_family(a: dict, b: dict, by_id: dict) -> bool:
    """Two articles are copies when one is a wire of the other or both copy one original."""
    root_a = a["duplicate_of"] or a["id"]
    root_b = b["duplicate_of"] or b["id"]
    return root_a == root_b


def speed(items: list[dict], chunk: int = 10000) -> None:
    """Every layer on every article in publication order, CPU time per article per chunk.

    CPU time (not wall time) because the bench machine is shared; the baseline is
    ``words()`` on the same texts, measured in the same run.
    """
    items = sorted(items, key=lambda i: (i["published"], i["id"]))
    n = len(items)
    index, clusterer = NearDuplicateIndex(), StoryClusterer()
    layers = {
        "baseline: words()": lambda i: words(i["text"]),
        "canonicalize_url": lambda i: canonicalize_url(i["url"]),
        "text_fingerprint": lambda i: text_fingerprint(i["text"]),
        "near-dup add": lambda i: index.add(i["id"], i["text"]),
        "cluster assign": lambda i: clusterer.assign(to_input(i)),
    }
    totals = dict.fromkeys(layers, 0.0)
    rows = []
    for start in range(0, n, chunk):
        part = items[start : start + chunk]
        row = {}
        for name, layer in layers.items():
            began = time.process_time()
            for item in part:
                layer(item)
            row[name] = (time.process_time() - began) / len(part) * 1e6
            totals[name] += time.process_time() - began
        rows.append((start + len(part), row))
    total = sum(v for k, v in totals.items() if not k.startswith("baseline"))
    base = totals["baseline: words()"]
    print(f"speed n={n}: all layers {total:.1f}s CPU = {total / n * 1e6:.0f} us/article "
          f"({total / base:.1f}x baseline)")
    print("  us/article by chunk (articles seen): " + ", ".join(f"{k[:14]}" for k in layers))
    for seen, row in rows if len(rows) <= 4 else [*rows[:2], rows[len(rows) // 2], rows[-1]]:
        cells = "  ".join(f"{value:6.0f}" for value in row.values())
        print(f"  {seen:>8}: {cells}")


def _features(item: dict) -> tuple:
    """The per-article, order-free part of every layer: runs in worker processes."""
    return (
        canonicalize_url(item["url"]),
        text_fingerprint(item["text"]),
        minhash_signature(item["text"]).to_bytes(),
        article_terms(item["title"], item["text"]),
    )


def speed_parallel(items: list[dict], workers: int) -> None:
    """Wall time of all layers: features in ``workers`` processes, index and clusterer here."""
    from multiprocessing import get_context

    items = sorted(items, key=lambda i: (i["published"], i["id"]))
    index, clusterer = NearDuplicateIndex(), StoryClusterer()
    fingerprints: dict[str, str] = {}
    started = time.perf_counter()
    with get_context("fork").Pool(workers) as pool:
        for item, (_url, fingerprint, signature, terms) in zip(
            items, pool.imap(_features, items, chunksize=256), strict=True
        ):
            if fingerprint is not None:
                fingerprints.setdefault(fingerprint, item["id"])
            index.add_signature(item["id"], MinHashSignature.from_bytes(signature))
            clusterer.assign(to_input(item), terms)
    took = time.perf_counter() - started
    print(f"parallel n={len(items)} workers={workers}: all layers {took:.1f}s wall "
          f"= {took / len(items) * 1e6:.0f} us/article")


def _desk_features(item: dict) -> object:
    from broadsheet.stories.desk import article_features

    return article_features(_desk_article(item))


def _desk_article(item: dict) -> object:
    from broadsheet.stories.desk import DeskArticle

    return DeskArticle(item["id"], item["source"], item["title"], item["text"],
                       canonicalize_url(item["url"]), item["published"])


def desk_run(items: list[dict], workers: int, chunk: int = 10000) -> None:
    """All four layers as the stories step runs them (``StoryDesk.place``), in publication
    order; the order-free features in ``workers`` processes. Prints wall time per article
    by chunk, then quality of the whole: B-cubed, pairwise, near-duplicates."""
    from multiprocessing import get_context

    from broadsheet.stories.desk import StoryDesk

    items = sorted(items, key=lambda i: (i["published"], i["id"]))
    desk = StoryDesk()
    placements = {}
    rows = []
    started = last = time.perf_counter()
    context = get_context("fork")
    pool = context.Pool(workers) if workers > 0 else None
    try:
        stream = (pool.imap(_desk_features, items, chunksize=256) if pool
                  else map(_desk_features, items))
        for n, (item, features) in enumerate(zip(items, stream, strict=True), start=1):
            placements[item["id"]] = desk.place(_desk_article(item), features)
            if n % chunk == 0 or n == len(items):
                now = time.perf_counter()
                rows.append((n, (now - last) / (n - (rows[-1][0] if rows else 0)) * 1e6))
                last = now
    finally:
        if pool:
            pool.close()
    took = time.perf_counter() - started
    print(f"desk n={len(items)} workers={workers}: all four layers {took:.1f}s wall = "
          f"{took / len(items) * 1e6:.0f} us/article")
    shown = rows if len(rows) <= 4 else [*rows[:2], rows[len(rows) // 2], rows[-1]]
    print("  us/article by chunk: " + ", ".join(f"{n}: {us:.0f}" for n, us in shown))
    truth = {i["id"]: i["story_id"] for i in items}
    predicted = {k: p.story_id for k, p in placements.items()}
    p, r, f = bcubed(predicted, truth)
    pp, pr, pf = pairwise(predicted, truth)
    print(f"  B-cubed P={p:.3f} R={r:.3f} F1={f:.3f}   pairwise P={pp:.3f} R={pr:.3f} F1={pf:.3f}")
    by_id = {i["id"]: i for i in items}
    wires = [i for i in items if i["kind"] == "wire"]
    found = sum(placements[w["id"]].duplicate_of is not None
                and by_id[placements[w["id"]].duplicate_of]["story_id"] == w["story_id"]
                for w in wires)
    wrong_same = wrong_other = 0
    for key, placement in placements.items():
        if placement.duplicate_of is None:
            continue
        item, root = by_id[key], by_id[placement.duplicate_of]
        if not _same_text_family(item, root, by_id):
            if item["story_id"] == root["story_id"]:
                wrong_same += 1
            else:
                wrong_other += 1
    kinds = Counter(p.duplicate_kind for p in placements.values() if p.duplicate_kind)
    print(f"  near-dup recall {found}/{len(wires)} = {found / max(len(wires), 1):.4f}; "
          f"wrongly marked copies: same-story other-outlet {wrong_same}, other stories "
          f"{wrong_other}; copies by layer {dict(kinds)}")


def real_run(data: Path) -> None:
    """Ours against the baselines on the real dev set: tuned on train, reported on val."""
    import subprocess

    import real

    train = real.load_split(data / "train.jsonl")
    val = real.load_split(data / "val.jsonl")
    parts = real.chunks(train, len(val))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    print(f"real news: {data}  (commit {commit})")
    print(f"  train {len(train)} articles / {len(set(i['story_id'] for i in train))} stories "
          f"in {len(parts)} chunks of ~{len(val)}; val {len(val)} articles / "
          f"{len(set(i['story_id'] for i in val))} stories")
    grid = [round(0.05 + 0.01 * k, 2) for k in range(76)]
    cuts = [real.tfidf_agglomerative(part) for part in parts]
    mean_f1 = {t: sum(_score(cut(t), part)[2] for cut, part in zip(cuts, parts, strict=True))
               / len(parts) for t in grid}
    chosen = max(grid, key=lambda t: (mean_f1[t], -t))
    ours_train = [_score(_ours(part)[0], part) for part in parts]
    print("tuned on: train")
    print(f"  baseline threshold {chosen:.2f} (grid 0.05..0.80; mean B-cubed F1 on train chunks "
          f"{mean_f1[chosen]:.3f})")
    print(f"  ours: product defaults (chosen by bench/stories/tune.py on train); mean B-cubed F1 "
          f"on train chunks {sum(s[2] for s in ours_train) / len(parts):.3f}")
    print("reported on: val")
    started = time.process_time()
    ours, _ = _ours(val)
    ours_took = time.process_time() - started
    started = time.process_time()
    baseline = real.tfidf_agglomerative(val)(chosen)
    base_took = time.process_time() - started
    rows = [("ours", ours, ours_took), (f"TF-IDF avg-link @{chosen:.2f}", baseline, base_took),
            ("every article alone", real.singletons(val), None)]
    print(f"  {'':28} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6}  {'pair P':>6} {'pair R':>6} "
          f"{'pair F1':>7}  stories  CPU s/1k articles")
    for name, predicted, took in rows:
        p, r, f, pp, pr, pf = _score(predicted, val)
        per_k = "" if took is None else f"{took / len(val) * 1000:.3f}"
        print(f"  {name:28} {p:6.3f} {r:6.3f} {f:6.3f}  {pp:6.3f} {pr:6.3f} {pf:7.3f}  "
              f"{len(set(predicted.values())):7}  {per_k}")


def _ours(items: list[dict]) -> tuple[dict[str, str], float]:
    started = time.process_time()
    predicted = cluster_articles([to_input(i) for i in items])
    return predicted, time.process_time() - started


def _score(predicted: dict[str, str], items: list[dict]) -> tuple[float, ...]:
    truth = {i["id"]: i["story_id"] for i in items}
    return (*bcubed(predicted, truth), *pairwise(predicted, truth))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=None,
                        help="The real dev set's folder (default: ../shared/eval-data/"
                        "news-clustering-dev beside the project root).")
    parser.add_argument("--synthetic", action="store_true",
                        help="The demo generator's corpus (regression mode) instead.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quality", type=int, default=20000)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2, help="0: skip the parallel run")
    parser.add_argument("--desk", default="", help="Sizes for the four-layer desk run only "
                        "(e.g. 10000,100000,1000000); skips the other runs.")
    args = parser.parse_args()
    if not args.synthetic and not args.desk:
        import real

        real_run(args.data or real.DEFAULT_DATA)
        return
    if args.desk:
        for size in filter(None, args.desk.split(",")):
            desk_run(load_corpus(args.seed, int(size)), args.workers)
        return
    if args.quality:
        quality(load_corpus(args.seed, args.quality), args.threshold)
    for size in filter(None, args.sizes.split(",")):
        items = load_corpus(args.seed, int(size))
        speed(items)
        if args.workers:
            speed_parallel(items, args.workers)


if __name__ == "__main__":
    main()
