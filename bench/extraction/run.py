"""Extraction benchmark: Broadsheet's extract stage against trafilatura's defaults.

Run on demand, never in the test suite:

    .venv/bin/python bench/extraction/run.py [--data ../shared/eval-data]

Both systems see the same gzip-decompressed bytes and URL in the same run, page by
page in alternating order, so the pages/s ratio is meaningful on any machine.
``--worst N`` lists the pages we score worst on; ``--scores FILE`` writes every
page's scores for both systems. Datasets are read where they are;
nothing from them is copied into the project.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import warnings
from collections.abc import Iterator
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


def timed_pair(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float,
                                                     list[dict[str, Any]], float]:
    """Run both systems on every page, interleaved, and return results and pages/s of each.

    Interleaving (alternating which system goes first) spreads any change in machine
    load over both systems; one untimed warm-up page each loads lazy models first.
    """
    if pages:
        run_ours(pages[0])
        run_trafilatura(pages[0])
    ours, theirs = [], []
    spent = [0.0, 0.0]
    for index, page in enumerate(pages):
        order = ((0, run_ours, ours), (1, run_trafilatura, theirs))
        for slot, system, results in order if index % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            results.append(system(page))
            spent[slot] += time.perf_counter() - start
    return ours, len(pages) / spent[0], theirs, len(pages) / spent[1]


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


def page_scores(name: str, pages: list[dict[str, Any]], ours: list[dict[str, Any]],
                theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-page precision, recall and F1 of both systems (the dataset's own measure)."""
    rows = []
    for page, mine, other in zip(pages, ours, theirs):
        row: dict[str, Any] = {"dataset": name, "id": page["id"], "type": page.get("type"),
                               "url": page["url"]}
        for system, result in (("ours", mine), ("trafilatura", other)):
            if name == "AEB":
                p, r = metrics.aeb_page(result["text"], page["truth"])
                p, r = p or 0.0, r or 0.0
                f1 = 2 * p * r / (p + r) if p + r else 0.0
            else:
                p, r, f1 = metrics.wcxb_page(result["text"], page["truth"].get("main_content") or "")
            row[system] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4),
                           "chars": len(result["text"])}
        rows.append(row)
    return rows


def dump_worst(rows: list[dict[str, Any]], count: int) -> None:
    """Print the pages we score worst on, with trafilatura's score beside ours."""
    if not rows:
        return
    print(f"\nworst {rows[0]['dataset']} pages (ours P/R/F1, trafilatura F1, lengths):")
    for row in sorted(rows, key=lambda r: r["ours"]["f1"])[:count]:
        mine, other = row["ours"], row["trafilatura"]
        print(f"  {row['id'][:16]:16} {str(row['type'] or '-'):8} P{mine['p']:.2f} R{mine['r']:.2f} "
              f"F{mine['f1']:.2f}  traf F{other['f1']:.2f}  chars {mine['chars']}/{other['chars']}"
              f"  {row['url'][:60]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval-data")
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (development)")
    parser.add_argument("--dataset", choices=("aeb", "wcxb", "both"), default="both")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages we score worst on")
    parser.add_argument("--scores", type=Path, default=None,
                        help="write per-page scores of both systems as JSON lines (development)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows: list[str] = []
    per_page: list[dict[str, Any]] = []
    header = f"{'dataset':8} {'system':12} {'P':>6} {'R':>6} {'F1':>6} {'leak':>6} {'miss':>6} " \
             f"{'title':>6} {'author':>6} {'date':>6} {'pages/s':>8}"
    if args.dataset in ("aeb", "both"):
        pages = list(load_aeb(args.data, args.limit))
        ours, ours_speed, theirs, their_speed = timed_pair(pages)
        per_page += page_scores("AEB", pages, ours, theirs)
        for system, results, speed in (("broadsheet", ours, ours_speed),
                                       ("trafilatura", theirs, their_speed)):
            s = score_aeb(pages, results)
            rows.append(f"{'AEB':8} {system:12} {s['precision']:6.3f} {s['recall']:6.3f} "
                        f"{s['f1']:6.3f} {'':>6} {'':>6} {'':>6} {'':>6} {'':>6} {speed:8.1f}")
        rows.append(f"{'AEB':8} {'speed ratio':12} {ours_speed / their_speed:>62.2f}x")
    if args.dataset in ("wcxb", "both"):
        pages = list(load_wcxb(args.data, args.limit))
        ours, ours_speed, theirs, their_speed = timed_pair(pages)
        per_page += page_scores("WCXB", pages, ours, theirs)
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
        for name in ("AEB", "WCXB"):
            dump_worst([r for r in per_page if r["dataset"] == name], args.worst)
    if args.scores:
        args.scores.write_text("".join(json.dumps(r) + "\n" for r in per_page), encoding="utf-8")
    print()
    print(header)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
