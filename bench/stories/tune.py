"""Choose the clusterer's parameters on the train split of the real dev set (never on val).

    .venv/bin/python bench/stories/tune.py [--data DIR] [--chunks 4]

A small grid over the term weights (title, lead, numbers), the IDF power and the
join threshold, each scored by mean B-cubed F1 over train chunks the size of val (see
``real.py``). Prints the best settings and the runners-up; the product's defaults
(``TermWeights``, ``IDF_POWER``, ``DEFAULT_THRESHOLD``) are set by hand from this
output, preferring pairwise precision among settings within about 0.005 of the best
F1 (see ``cluster.IDF_POWER``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import real  # noqa: E402
from metrics import bcubed, pairwise  # noqa: E402

from broadsheet.stories._vectors import TermWeights, article_terms  # noqa: E402
from broadsheet.stories.cluster import ClusterInput, cluster_articles  # noqa: E402

THRESHOLDS = [round(0.16 + 0.02 * k, 2) for k in range(8)]
IDF_POWERS = [1.0, 1.5, 2.0]
GRID = {
    "title": [1.5, 2.0, 3.0],
    "lead": [1.0],  # 1.5 scored lower at every title weight and IDF power tried
    "number": [1.0, 1.5],
}


def score(parts: list[list[dict]], terms: list[dict], threshold: float,
          idf_power: float) -> tuple[float, float]:
    """Mean B-cubed F1 and pairwise precision over ``parts`` (``terms``: per part)."""
    f1 = precision = 0.0
    for part, part_terms in zip(parts, terms, strict=True):
        inputs = [ClusterInput(i["id"], i["title"], i["text"], i["published"], i["source"])
                  for i in part]
        predicted = cluster_articles(inputs, threshold=threshold, terms=part_terms,
                                     idf_power=idf_power)
        truth = {i["id"]: i["story_id"] for i in part}
        f1 += bcubed(predicted, truth)[2]
        precision += pairwise(predicted, truth)[0]
    return f1 / len(parts), precision / len(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=real.DEFAULT_DATA)
    parser.add_argument("--chunks", type=int, default=4, help="Train chunks to score on.")
    args = parser.parse_args()
    train = real.load_split(args.data / "train.jsonl")
    val_size = sum(1 for _ in (args.data / "val.jsonl").open(encoding="utf-8"))
    parts = real.chunks(train, val_size)[: args.chunks]
    print(f"tuned on: train ({sum(map(len, parts))} articles in {len(parts)} chunks)")
    results = []
    for values in itertools.product(*GRID.values()):
        weights = TermWeights(**dict(zip(GRID, values, strict=True)))
        terms = [{i["id"]: article_terms(i["title"], i["text"], weights) for i in part}
                 for part in parts]
        for idf_power in IDF_POWERS:
            for threshold in THRESHOLDS:
                f1, precision = score(parts, terms, threshold, idf_power)
                results.append((f1, precision, threshold, idf_power, values))
            best = max(r for r in results if r[3:] == (idf_power, values))
            print(f"  {dict(zip(GRID, values, strict=True))} idf power {idf_power}: "
                  f"best F1 {best[0]:.4f} (pair P {best[1]:.3f}) at {best[2]:.2f}", flush=True)
    results.sort(reverse=True)
    print("best:")
    for f1, precision, threshold, idf_power, values in results[:5]:
        print(f"  F1 {f1:.4f} pair P {precision:.3f} threshold {threshold:.2f} "
              f"idf power {idf_power} {dict(zip(GRID, values, strict=True))}")


if __name__ == "__main__":
    main()
