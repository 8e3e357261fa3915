"""``broadsheet import-articles``, ``stories`` and ``outlets`` as a user runs them."""

from __future__ import annotations

import json

from bench.common.corpus import generate_story_corpus
from tests.test_cli import run_cli


def _write_corpus(path, n: int = 120) -> list[dict]:
    items = list(generate_story_corpus(5, n))
    lines = [json.dumps({"id": i["id"], "title": i["title"], "text": i["text"], "url": i["url"],
                         "published": str(i["published"]), "source": i["source"]})
             for i in items]
    lines.insert(2, '{"title": "no text"}')
    lines.insert(5, "{not json")
    path.write_text("\n".join(lines) + "\n")
    return items


def _stories(home) -> list[dict]:
    return [json.loads(line) for line in run_cli(home, "stories", "--json").stdout.splitlines()]


def test_import_stories_and_rebuild(tmp_path):
    items = _write_corpus(tmp_path / "articles.jsonl")
    result = run_cli(tmp_path, "import-articles", str(tmp_path / "articles.jsonl"))
    assert f"imported {len(items)} articles" in result.stdout
    assert "articles.jsonl:3: skipped" in result.stderr
    assert "articles.jsonl:6: skipped" in result.stderr
    stories = _stories(tmp_path)
    assert {tuple(sorted(s)) for s in stories} == {
        ("articles", "first_published", "id", "last_published", "sources", "title")}
    placed = [a for s in stories for a in s["articles"]]
    assert sorted(placed) == sorted(i["id"] for i in items)
    multi = [s for s in stories if len(s["sources"]) > 1]
    assert multi and all(s["first_published"] <= s["last_published"] for s in stories)
    truth = {i["id"]: i["story_id"] for i in items}
    assert any(len({truth[a] for a in s["articles"]}) == 1 and len(s["articles"]) > 2
               for s in multi)
    before = {frozenset(s["articles"]) for s in stories}
    assert "placed" in run_cli(tmp_path, "stories", "rebuild").stdout
    assert {frozenset(s["articles"]) for s in _stories(tmp_path)} == before
    again = run_cli(tmp_path, "import-articles", str(tmp_path / "articles.jsonl")).stdout
    assert f"imported 0 articles ({len(items)} already there" in again


def test_outlet_profiles(tmp_path):
    rows = [json.loads(x) for x in run_cli(tmp_path, "outlets", "list", "--json")
            .stdout.splitlines()]
    assert len(rows) >= 40
    for row in rows:
        assert row["name"] and row["domains"] and row["ownership"]
        assert all(row["citations"].get(f, "").startswith("https://")
                   for f in ("country", "language", "ownership", "owner"))
    bbc = next(r for r in rows if r["slug"] == "bbc")
    assert (bbc["country"], bbc["ownership"]) == ("GB", "public broadcaster")
    run_cli(tmp_path, "outlets", "set", "harbour", "--name", "Harbour Times",
            "--domain", "harbour.test", "--country", "GB", "--ownership", "non-profit",
            "--cite", "ownership=https://harbour.test/about")
    shown = run_cli(tmp_path, "outlets", "show", "harbour").stdout
    assert "non-profit  [https://harbour.test/about]" in shown and "harbour.test" in shown
    bad = run_cli(tmp_path, "outlets", "set", "harbour", "--cite", "owner=not-a-url",
                  check=False)
    assert bad.returncode == 1 and "citations" in bad.stderr
    assert "imported" in run_cli(tmp_path, "outlets", "import").stdout
