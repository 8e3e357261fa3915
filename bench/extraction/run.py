"""Extraction benchmark: Broadsheet's extract stage against trafilatura, same settings.

Run on demand, never in the test suite:

    .venv/bin/python bench/extraction/run.py [--data ../shared/eval-data] [--half tuning]

Both systems see the same gzip-decompressed bytes and URL in the same run, page by
page in alternating order, so the pages/s ratio is meaningful on any machine.
trafilatura runs with comments off, as ours does and as the benchmarks' own runners
do. WCXB pages are split into a tuning and a reporting half by a hash of their id
(``stats.half_of``): tune on the first, report both. Every difference carries a
paired bootstrap 95% interval. Per page type, readability-lxml (bench/requirements)
is a third reference when installed. ``--worst N`` lists the pages we score worst
on; ``--scores FILE`` writes every page's scores. Datasets are read where they are;
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
import stats  # noqa: E402

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
        # metadata.json lists only part of dev; each record also states its own type.
        page_type = (record.get("_internal", {}).get("page_type", {}).get("primary")
                     or types.get(path.stem))
        yield {"id": path.stem, "url": record.get("url"), "html": body,
               "truth": record["ground_truth"], "type": page_type}


def run_ours(page: dict[str, Any]) -> dict[str, Any]:
    try:
        article = extract_article(page["html"], url=page["url"])
    except ExtractError:
        return {"text": ""}
    return {"text": article.text, "title": article.title, "authors": list(article.authors),
            "published": article.published.isoformat() if article.published else None}


def run_trafilatura(page: dict[str, Any]) -> dict[str, Any]:
    """trafilatura's defaults, except comments: off, as ours and the benchmarks' runners."""
    return {"text": trafilatura.extract(page["html"], url=page["url"],
                                        include_comments=False) or ""}


def run_readability(page: dict[str, Any]) -> dict[str, Any]:
    """readability-lxml's article, as plain text (a third reference, untimed)."""
    from lxml import html as lxml_html  # noqa: PLC0415
    from readability import Document  # noqa: PLC0415 - optional, bench/requirements.txt

    try:
        summary = Document(page["html"].decode("utf-8", "replace"), url=page["url"]).summary(
            html_partial=True)
        text = " ".join(" ".join(lxml_html.fromstring(summary).itertext()).split())
    except Exception:  # noqa: BLE001 - a reference that fails on a page scores 0 there
        text = ""
    return {"text": text}


def readability_available() -> bool:
    try:
        import readability  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


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


def aeb_pairs(pages: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[Any]:
    return [metrics.aeb_page(r["text"], p["truth"]) for p, r in zip(pages, results)]


def aeb_f1(pairs: list[Any]) -> float:
    return metrics.aeb_score(pairs)["f1"]


def wcxb_rows(pages: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per page: precision, recall, F1 and the snippet counts of one system."""
    rows = []
    for page, result in zip(pages, results):
        truth = page["truth"]
        p, r, f1 = metrics.wcxb_page(result["text"], truth.get("main_content") or "")
        leaked, without, missing, with_ = metrics.snippet_rates(
            result["text"], truth.get("with") or [], truth.get("without") or [])
        rows.append({"p": p, "r": r, "f1": f1, "leaked": leaked, "without": without,
                     "missing": missing, "with": with_})
    return rows


def mean_f1(rows: list[dict[str, Any]]) -> float:
    return fmean(row["f1"] for row in rows) if rows else 0.0


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "precision": fmean(x["p"] for x in rows), "recall": fmean(x["r"] for x in rows),
        "f1": mean_f1(rows),
        "leak": sum(x["leaked"] for x in rows) / max(1, sum(x["without"] for x in rows)),
        "miss": sum(x["missing"] for x in rows) / max(1, sum(x["with"] for x in rows)),
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


def per_page(name: str, pages: list[dict[str, Any]],
             systems: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per-page precision, recall and F1 of every system (the dataset's own measure)."""
    rows = []
    for index, page in enumerate(pages):
        row: dict[str, Any] = {"dataset": name, "id": page["id"], "type": page.get("type"),
                               "half": stats.half_of(page["id"]), "url": page["url"]}
        for system, results in systems.items():
            text = results[index]["text"]
            if name == "AEB":
                p, r = metrics.aeb_page(text, page["truth"])
                p, r = p or 0.0, r or 0.0
                f1 = 2 * p * r / (p + r) if p + r else 0.0
            else:
                p, r, f1 = metrics.wcxb_page(text, page["truth"].get("main_content") or "")
            row[system] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4),
                           "chars": len(text)}
        rows.append(row)
    return rows


def dump_worst(rows: list[dict[str, Any]], count: int) -> None:
    """Print the pages we score worst on, with trafilatura's score beside ours."""
    if not rows:
        return
    print(f"\nworst {rows[0]['dataset']} pages (ours P/R/F1, trafilatura F1, lengths):")
    for row in sorted(rows, key=lambda r: r["ours"]["f1"])[:count]:
        mine, other = row["ours"], row["trafilatura"]
        print(f"  {row['id'][:16]:16} {str(row['type'] or '-'):8} {row['half'][:4]} "
              f"P{mine['p']:.2f} R{mine['r']:.2f} F{mine['f1']:.2f}  traf F{other['f1']:.2f}  "
              f"chars {mine['chars']}/{other['chars']}  {(row['url'] or '')[:60]}")


def _ci(difference: tuple[float, float, float]) -> str:
    value, low, high = difference
    mark = "excludes 0" if low > 0 or high < 0 else "includes 0"
    return f"{value:+.4f} [95% CI {low:+.4f}, {high:+.4f}] ({mark})"


def report_aeb(pages: list[dict[str, Any]], ours: list[dict[str, Any]],
               theirs: list[dict[str, Any]], others: dict[str, list[dict[str, Any]]],
               speeds: tuple[float, float]) -> list[str]:
    lines = []
    systems = {"broadsheet": ours, "trafilatura": theirs, **others}
    for system, results in systems.items():
        s = metrics.aeb_score(aeb_pairs(pages, results))
        speed = {"broadsheet": speeds[0], "trafilatura": speeds[1]}.get(system)
        lines.append(f"{'AEB':8} {system:12} {s['precision']:6.3f} {s['recall']:6.3f} "
                     f"{s['f1']:6.3f}" + (f" {speed:8.1f} pages/s" if speed else ""))
    difference = stats.paired_bootstrap(aeb_pairs(pages, ours), aeb_pairs(pages, theirs), aeb_f1)
    lines.append(f"AEB F1 ours - trafilatura: {_ci(difference)}")
    lines.append(f"AEB speed ratio ours/trafilatura: {speeds[0] / speeds[1]:.2f}x")
    return lines


def report_wcxb(pages: list[dict[str, Any]], systems: dict[str, list[dict[str, Any]]],
                speeds: tuple[float, float]) -> list[str]:
    rows = {name: wcxb_rows(pages, results) for name, results in systems.items()}
    halves = [stats.half_of(p["id"]) for p in pages]
    lines = [f"{'WCXB':8} {'half':9} {'system':12} {'n':>4} {'P':>6} {'R':>6} {'F1':>6} "
             f"{'leak':>6} {'miss':>6}"]
    for half in ("all", *stats.HALVES):
        picked = [i for i, h in enumerate(halves) if half in ("all", h)]
        if not picked:
            continue
        for name, system_rows in rows.items():
            s = summarise([system_rows[i] for i in picked])
            lines.append(f"{'WCXB':8} {half:9} {name:12} {len(picked):4} {s['precision']:6.3f} "
                         f"{s['recall']:6.3f} {s['f1']:6.3f} {s['leak']:6.1%} {s['miss']:6.1%}")
        difference = stats.paired_bootstrap([rows["broadsheet"][i] for i in picked],
                                            [rows["trafilatura"][i] for i in picked], mean_f1)
        lines.append(f"WCXB {half} F1 ours - trafilatura: {_ci(difference)}")
    lines.append(f"WCXB speed ratio ours/trafilatura: {speeds[0] / speeds[1]:.2f}x "
                 f"({speeds[0]:.1f} vs {speeds[1]:.1f} pages/s)")
    lines += report_types(pages, rows)
    return lines


def report_types(pages: list[dict[str, Any]], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Mean F1 per page type for every system, and where we lose to each reference."""
    names = list(rows)
    lines = ["", "per page type (mean F1; 'lost' = pages where ours is 0.05+ below, "
             "with the F1 those pages cost us)",
             f"  {'type':14} {'n':>4} " + " ".join(f"{n:>12}" for n in names)
             + "".join(f" {'lost to ' + n[:5]:>18}" for n in names[1:])]
    for page_type in sorted({p.get("type") or "-" for p in pages}):
        picked = [i for i, p in enumerate(pages) if (p.get("type") or "-") == page_type]
        means = " ".join(f"{mean_f1([rows[n][i] for i in picked]):12.3f}" for n in names)
        losses = ""
        for other in names[1:]:
            gaps = [rows[other][i]["f1"] - rows["broadsheet"][i]["f1"] for i in picked]
            lost = [g for g in gaps if g >= 0.05]
            losses += f" {len(lost):5} ({sum(lost) / len(picked):+.3f})    "
        lines.append(f"  {page_type:14} {len(picked):4} {means}{losses}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval-data")
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (development)")
    parser.add_argument("--dataset", choices=("aeb", "wcxb", "both"), default="both")
    parser.add_argument("--half", choices=("all", *stats.HALVES), default="all",
                        help="only WCXB pages of this half (development: tune on 'tuning')")
    parser.add_argument("--no-readability", action="store_true",
                        help="skip the readability-lxml reference")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages we score worst on")
    parser.add_argument("--scores", type=Path, default=None,
                        help="write per-page scores of every system as JSON lines (development)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    with_readability = not args.no_readability and readability_available()
    lines: list[str] = []
    scores: list[dict[str, Any]] = []
    if args.dataset in ("aeb", "both"):
        pages = list(load_aeb(args.data, args.limit))
        ours, ours_speed, theirs, their_speed = timed_pair(pages)
        others = {"readability": [run_readability(p) for p in pages]} if with_readability else {}
        scores += per_page("AEB", pages, {"ours": ours, "trafilatura": theirs, **others})
        lines.append(f"{'AEB':8} {'system':12} {'P':>6} {'R':>6} {'F1':>6}  ({len(pages)} pages)")
        lines += report_aeb(pages, ours, theirs, others, (ours_speed, their_speed))
        lines.append("")
    if args.dataset in ("wcxb", "both"):
        pages = [p for p in load_wcxb(args.data, args.limit)
                 if args.half in ("all", stats.half_of(p["id"]))]
        ours, ours_speed, theirs, their_speed = timed_pair(pages)
        systems = {"broadsheet": ours, "trafilatura": theirs}
        if with_readability:
            systems["readability"] = [run_readability(p) for p in pages]
        scores += per_page("WCXB", pages, {"ours" if k == "broadsheet" else k: v
                                           for k, v in systems.items()})
        lines += report_wcxb(pages, systems, (ours_speed, their_speed))
        their_meta = [trafilatura_metadata(p) if p["type"] == "article" else {} for p in pages]
        lines.append(f"\nmetadata on article pages: {'system':12} {'title':>6} {'author':>6} "
                     f"{'date':>6}")
        for system, results in (("broadsheet", ours), ("trafilatura", their_meta)):
            m = score_metadata(pages, results)
            lines.append(f"{'':26} {system:12} {m['title']:6.3f} {m['author']:6.3f} "
                         f"{m['date']:6.3f}   (n={m['n']})")
        lines.append("(trafilatura metadata from extract_metadata, untimed)")
        lines.append(WCXB_ATTRIBUTION)
    if args.worst:
        for name in ("AEB", "WCXB"):
            dump_worst([r for r in scores if r["dataset"] == name], args.worst)
    if args.scores:
        args.scores.write_text("".join(json.dumps(r) + "\n" for r in scores), encoding="utf-8")
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
