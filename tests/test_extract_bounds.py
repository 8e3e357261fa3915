"""Huge pages: extraction stays within a time and memory budget, and cuts input safely."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from broadsheet.extract import extract_article
from broadsheet.extract.bounds import MAX_PAGE_CHARS, bound_page

PARAGRAPHS = [f"<p>Paragraph {n}: the council met on Tuesday to discuss the budget for the "
              f"harbour, the roads and the schools of district {n}, officials said.</p>"
              for n in range(12)]
ARTICLE = "<article><h1>Budget day</h1>" + "".join(PARAGRAPHS) + "</article>"
CARD = '<div class="card"><a href="/s/{0}">Story {0}</a><span>Tag {0}</span></div>'


def _page(before: str = "", after: str = "", head: str = "") -> bytes:
    return (f"<html><head><title>Budget day</title>{head}</head><body>{before}{ARTICLE}"
            f"{after}</body></html>").encode()


def _cards(megabytes: float) -> str:
    count = int(megabytes * 1_000_000 / len(CARD.format(1000))) + 1
    return "".join(CARD.format(n) for n in range(count))


def test_ten_megabyte_page_extracts_within_budget():
    page = _page(after=_cards(10))
    assert len(page) >= 10_000_000
    start = time.perf_counter()
    article = extract_article(page, "https://x.example/a")
    assert time.perf_counter() - start < 10
    assert "Paragraph 11:" in article.text and "Story 5" not in article.text


def test_ten_megabyte_page_memory_is_bounded():
    code = (
        "import resource, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_extract_bounds import _page, _cards\n"
        "from broadsheet.extract import extract_article\n"
        "page = _page(after=_cards(10))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "extract_article(page, 'https://x.example/a')\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print((after - before) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    grown_mb = int(done.stdout.strip().splitlines()[-1])
    assert grown_mb < 400, grown_mb


def test_heavy_scripts_go_before_the_cut_and_json_ld_stays():
    blob = "<script>var data = " + "x" * (MAX_PAGE_CHARS + 10) + ";</script>"
    ld = json.dumps({"@type": "NewsArticle", "headline": "Budget day",
                     "author": {"@type": "Person", "name": "Jane Roe"}})
    head = f'<script type="application/ld+json">{ld}</script><style>{"a{}" * 400000}</style>'
    article = extract_article(_page(before=blob, head=head), "https://x.example/a")
    assert "Paragraph 0:" in article.text and "Paragraph 11:" in article.text
    assert article.authors == ("Jane Roe",)


def test_cut_lands_on_a_tag_boundary_and_never_fails():
    page = "<html><body>" + "<p>word word word</p>" * (MAX_PAGE_CHARS // 10) + "</body></html>"
    bounded = bound_page(page)
    assert len(bounded) <= MAX_PAGE_CHARS
    assert bounded.endswith("</p>") or bounded.endswith("word")
    assert extract_article(page).text  # the kept part is still read


def test_short_pages_are_untouched():
    page = _page().decode()
    assert bound_page(page) is page


def test_unclosed_script_is_emptied_to_the_end():
    page = "<p>kept</p><script>" + "y" * (MAX_PAGE_CHARS + 5)
    assert bound_page(page) == "<p>kept</p><script>"
