"""Extraction benchmark: Broadsheet's extract stage against trafilatura's defaults.

Run on demand, never in the test suite:

    .venv/bin/python bench/extraction/run.py [--data ../shared/eval-data]

Both systems see the same gzip-decompressed bytes and URL in the same run, so the
pages/s ratio is meaningful on any machine. Datasets are read where they are;
nothing from them is copied into the project.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from statistics import fmean
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metrics  # noqa: E402

from broadsheet.errors import ExtractError  # noqa: E402
from broadsheet.extract import extract_article  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WCXB_ATTRIBUTION = ("WCXB: Web Content Extraction Benchmark v1.0 by Murrough Foley, "
                    "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/); dev split, scored here "
                    "with our own implementation of its metrics")


def load_aeb(data: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    """Yield AEB pages: id, url, html bytes, truth text."""
    base = data / "article-extraction"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth)[:limit]:
        body = gzip.decompress((base / "html" / f"{page_id}.html.gz").read_bytes())
        yield {"id": page_id, "url": truth[page_id]["url"], "html": body,
               "truth": truth[page_id]["articleBody"]}


def load_wcxb(data: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    """Yield WCXB dev pages with their ground truth and page type."""
    base = data / "wcxb"
    types = {k: v["page_type"] for k, v in
             json.loads((base / "metadata.json").read_text(encoding="utf-8"))["files"].items()}
    for path in sorted((base / "dev" / "ground-truth").glob("*.json"))[:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        body = gzip.decompress((base / "dev" / "html" / f"{path.stem}.html.gz").read_bytes())
        yield {"id": path.stem, "url": record.get("url"), "html": body,
               "truth": record["ground_truth"], "type": types.get(path.stem)}


def run_ours(page: dict[str, Any]) -> dict[str, Any]:
    try:
        article = extract_article(page["html"], url=page["url"])
    except ExtractError:
        return {"text": ""}
    return {"text": article.text, "title": article.title, "authors": list(article.authors),
            "published": article.published.isoformat() if article.published else None}


def run_trafilatura(page: dict[str, Any]) -> dict[str, Any]:
    return {"text": trafilatura.extract(page["html"], url=page["url"]) or ""}


def trafilatura_metadata(page: dict[str, Any]) -> dict[str, Any]:
    """Trafilatura's own metadata, for comparison only (not timed)."""
    meta = trafilatura.extract_metadata(page["html"].decode("utf-8", "replace"),
                                        default_url=page["url"])
    if meta is None:
        return {}
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    return {"title": meta.title, "authors": authors, "published": meta.date}


def timed(system: Callable[[dict[str, Any]], dict[str, Any]],
          pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Run ``system`` on every page; pages/s after one untimed warm-up page (lazy model loads)."""
    if pages:
        system(pages[0])
    start = time.perf_counter()
    results = [system(page) for page in pages]
    return results, len(pages) / (time.perf_counter() - start)


def score_aeb(pages: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, float]:
    return metrics.aeb_score([metrics.aeb_page(r["text"], p["truth"]) for p, r in zip(pages, results)])


def score_wcxb(pages: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, float]:
    prf = [metrics.wcxb_page(r["text"], p["truth"].get("main_content") or "") for p, r in zip(pages, results)]
    rates = [metrics.snippet_rates(r["text"], p["truth"].get("with") or [],
                                   p["truth"].get("without") or []) for p, r in zip(pages, results)]
    return {
        "precision": fmean(x[0] for x in prf), "recall": fmean(x[1] for x in prf),
        "f1": fmean(x[2] for x in prf),
        "leak": sum(r[0] for r in rates) / max(1, sum(r[1] for r in rates)),
        "miss": sum(r[2] for r in rates) / max(1, sum(r[3] for r in rates)),
    }


def score_metadata(pages: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, float]:
    titles, authors, dates = [], [], []
    for page, result in zip(pages, results):
        if page["type"] != "article":
            continue
        truth = page["truth"]
        if truth.get("title"):
            titles.append(metrics.title_match(result.get("title"), truth["title"]))
        if truth.get("author"):
            authors.append(metrics.author_match(result.get("authors") or [], truth["author"]))
        if truth.get("publish_date"):
            dates.append(metrics.date_match(result.get("published"), truth["publish_date"]))
    return {"title": fmean(titles) if titles else 0.0, "author": fmean(authors) if authors else 0.0,
            "date": fmean(dates) if dates else 0.0, "n": len(titles)}


def dump_worst(name: str, pages: list[dict[str, Any]], ours: list[dict[str, Any]],
               theirs: list[dict[str, Any]], score: Callable[[str, Any], float], count: int) -> None:
    """Print the ids where we lose most against trafilatura (for development)."""
    deltas = sorted(
        ((score(o["text"], p["truth"]) - score(t["text"], p["truth"]), p["id"],
          score(o["text"], p["truth"])) for p, o, t in zip(pages, ours, theirs)))
    print(f"\nworst {name} pages (ours - trafilatura, ours):")
    for delta, page_id, mine in deltas[:count]:
        print(f"  {page_id[:16]}  {delta:+.3f}  {mine:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval-data")
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (development)")
    parser.add_argument("--dataset", choices=("aeb", "wcxb", "both"), default="both")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages we lose most on")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows: list[str] = []
    header = f"{'dataset':8} {'system':12} {'P':>6} {'R':>6} {'F1':>6} {'leak':>6} {'miss':>6} " \
             f"{'title':>6} {'author':>6} {'date':>6} {'pages/s':>8}"
    if args.dataset in ("aeb", "both"):
        pages = list(load_aeb(args.data, args.limit))
        ours, ours_speed = timed(run_ours, pages)
        theirs, their_speed = timed(run_trafilatura, pages)
        for system, results, speed in (("broadsheet", ours, ours_speed),
                                       ("trafilatura", theirs, their_speed)):
            s = score_aeb(pages, results)
            rows.append(f"{'AEB':8} {system:12} {s['precision']:6.3f} {s['recall']:6.3f} "
                        f"{s['f1']:6.3f} {'':>6} {'':>6} {'':>6} {'':>6} {'':>6} {speed:8.1f}")
        rows.append(f"{'AEB':8} {'speed ratio':12} {ours_speed / their_speed:>62.2f}x")
        if args.worst:
            def f1(text: str, truth: Any) -> float:
                p, r = metrics.aeb_page(text, truth)
                return 2 * (p or 0) * (r or 0) / ((p or 0) + (r or 0)) if (p or 0) + (r or 0) else 0
            dump_worst("AEB", pages, ours, theirs, f1, args.worst)
    if args.dataset in ("wcxb", "both"):
        pages = list(load_wcxb(args.data, args.limit))
        ours, ours_speed = timed(run_ours, pages)
        theirs, their_speed = timed(run_trafilatura, pages)
        their_meta = [trafilatura_metadata(p) if p["type"] == "article" else {} for p in pages]
        for (system, results, speed), meta in zip(
            (("broadsheet", ours, ours_speed), ("trafilatura", theirs, their_speed)),
            (ours, their_meta),
        ):
            s, m = score_wcxb(pages, results), score_metadata(pages, meta)
            rows.append(f"{'WCXB':8} {system:12} {s['precision']:6.3f} {s['recall']:6.3f} "
                        f"{s['f1']:6.3f} {s['leak']:6.1%} {s['miss']:6.1%} {m['title']:6.3f} "
                        f"{m['author']:6.3f} {m['date']:6.3f} {speed:8.1f}")
        rows.append(f"{'WCXB':8} {'speed ratio':12} {ours_speed / their_speed:>62.2f}x")
        rows.append(f"({len(pages)} WCXB dev pages; metadata on the {m['n']} article pages; "
                    f"trafilatura metadata from extract_metadata, untimed)")
        rows.append(WCXB_ATTRIBUTION)
        if args.worst:
            dump_worst("WCXB", pages, ours, theirs,
                       lambda text, truth: metrics.wcxb_page(text, truth.get("main_content") or "")[2],
                       args.worst)
    print()
    print(header)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
