"""The stories step on both engines: each layer through the pipeline, imports, rebuilds."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator

import pytest

from bench.common.corpus import generate_story_corpus
from broadsheet.demo.generate import make_newsroom
from broadsheet.demo.server import NewsroomServer
from broadsheet.demo.urls import article_path
from broadsheet.sources import subscribe
from broadsheet.store import articles as article_store
from broadsheet.store import open_database
from broadsheet.store import stories as story_store
from broadsheet.update import stories_step
from broadsheet.update.import_articles import import_lines, imported_id
from broadsheet.update.pipeline import run_update
from broadsheet.update.stories_step import assign_pending_stories, rebuild_stories


def bcubed(predicted: dict[str, str], truth: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (as in bench/stories/metrics.py)."""
    both = Counter((predicted[i], truth[i]) for i in truth)
    pred, true = Counter(predicted[i] for i in truth), Counter(truth.values())
    p = sum(both[(predicted[i], truth[i])] / pred[predicted[i]] for i in truth) / len(truth)
    r = sum(both[(predicted[i], truth[i])] / true[truth[i]] for i in truth) / len(truth)
    return p, r, 2 * p * r / (p + r)


@pytest.fixture(autouse=True)
def _fresh_desks() -> Iterator[None]:
    """Each test starts as a new process would: no desk in memory."""
    stories_step._desks.clear()
    yield
    stories_step._desks.clear()


def _lines(items: list[dict]) -> list[str]:
    return [json.dumps({"id": i["id"], "title": i["title"], "text": i["text"], "url": i["url"],
                        "published": str(i["published"]), "source": i["source"]})
            for i in items]


def _grouping(db) -> dict[str, int]:
    """{imported id or canonical URL: story id} of every placed article."""
    stories = list(story_store.all_stories(db))
    members = story_store.story_member_keys(db, [s.id for s in stories])
    return {imported_id(key) or url: story_id
            for story_id, rows in members.items() for key, url, _ in rows}


def _partition(grouping: dict[str, int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for key, story in grouping.items():
        groups.setdefault(story, set()).add(key)
    return {frozenset(g) for g in groups.values()}


CORPUS = list(generate_story_corpus(11, 400))


def test_demo_newsroom_through_the_pipeline(db, settings):
    newsroom = make_newsroom(seed=5, outlets=5, events=18)
    with NewsroomServer(newsroom) as server:
        for url in server.feed_urls():
            subscribe(db, settings, url)
        run_update(db, settings, everything=True)  # places new articles in stories too
    assert assign_pending_stories(db, settings) == 0
    stored = article_store.all_articles(db)
    assert len(stored) == len(newsroom.articles)
    demo_of = {}
    for article in stored:
        demo_of[article.id] = next(d for d in newsroom.articles
                                   if article.canonical_url.endswith(article_path(newsroom, d)))
    place = {a.id: story_store.article_place(db, a.id) for a in stored}
    predicted = {str(i): str(p.story_id) for i, p in place.items()}
    truth = {str(i): d.story_id for i, d in demo_of.items()}
    precision, recall, f1 = bcubed(predicted, truth)
    assert f1 >= 0.9, (precision, recall)
    # Multi-outlet coverage of one event is one story.
    multi = [s for s in {d.story_id for d in demo_of.values()}
             if len({d.outlet_slug for d in demo_of.values() if d.story_id == s}) > 1]
    assert multi
    grouped = sum(len({place[i].story_id for i, d in demo_of.items() if d.story_id == s}) == 1
                  for s in multi)
    assert grouped >= 0.9 * len(multi)
    # Wire reprints are copies of an article of the same event; nothing else is.
    for article_id, demo in demo_of.items():
        copy_of = place[article_id].duplicate_of
        if demo.kind == "wire":
            assert copy_of is not None and demo_of[copy_of].story_id == demo.story_id
            assert demo_of[copy_of].kind != "wire"
        else:
            assert copy_of is None, demo
    # Near misses (same topic, another event) are separate stories.
    # (Most of them: the clusterer still merges the odd pair with the same region.)
    near_events = {d.story_id for d in demo_of.values() if d.kind == "near_miss"}
    assert near_events
    merged = {demo.story_id for article_id, demo in demo_of.items()
              if demo.story_id in near_events
              and any(place[other].story_id == place[article_id].story_id
                      for other, d in demo_of.items() if d.story_id != demo.story_id)}
    assert len(merged) <= len(near_events) // 3, merged
    # Copies are hidden from lists but shown with their originals.
    wires = [i for i, d in demo_of.items() if d.kind == "wire"]
    listed = {a.id for a in article_store.latest_articles(db, 500)}
    assert wires and not listed & set(wires)
    assert len(story_store.copies_of(db, wires[0], place[wires[0]].duplicate_of)) >= 1


def test_each_copy_layer_on_its_own(db):
    when = "2024-03-01T10:00:00+00:00"
    text = ("The harbour authority of Kelmouth said on Friday that the north wall will be "
            "repaired before winter at a cost of 4.2 million pounds, after storms in March.")
    lines = [
        json.dumps({"id": "a", "title": "Kelmouth wall", "text": text, "published": when,
                    "source": "one", "url": "https://one.test/wall?utm_source=x"}),
        json.dumps({"id": "b", "title": "Kelmouth wall", "text": text + " More soon.",
                    "published": when, "source": "two", "url": "https://ONE.test/wall#top"}),
        json.dumps({"id": "c", "title": "Wall repair", "text": text.upper(), "published": when,
                    "source": "three", "url": "https://three.test/c"}),
        json.dumps({"id": "d", "title": "Other", "text": "Unrelated words about a choir concert "
                    "in the old church of Dunbry next month, with tickets at ten pounds.",
                    "published": when, "source": "one"}),
    ]
    report = import_lines(db, lines)
    assert report.imported == 4 and not report.bad
    assert assign_pending_stories(db) == 4
    by_key = {a.entry_key: a.id for a in article_store.all_articles(db)}
    a, b, c, d = (story_store.article_place(db, by_key[f"import:{k}"]) for k in "abcd")
    assert a.duplicate_of is None
    assert (b.duplicate_of, b.duplicate_kind) == (by_key["import:a"], "address")
    assert (c.duplicate_of, c.duplicate_kind) == (by_key["import:a"], "text")
    assert a.story_id == b.story_id == c.story_id != d.story_id
    story = story_store.get_story(db, a.story_id)
    assert (story.article_count, story.source_count) == (3, 3)
    # A later copy of an article placed long ago is found through storage.
    stories_step._desks.clear()
    later = json.dumps({"id": "e", "title": "Again", "text": text, "source": "four",
                        "published": "2024-06-01T00:00:00+00:00"})
    import_lines(db, [later])
    assert assign_pending_stories(db) == 1
    e = story_store.article_place(db, article_store.all_articles(db)[-1].id)
    assert (e.duplicate_of, e.duplicate_kind, e.story_id) == (by_key["import:a"], "text",
                                                              a.story_id)


def test_rebuild_and_order_independence(db, tmp_path):
    lines = _lines(CORPUS)
    import_lines(db, lines)
    assign_pending_stories(db)
    first = _grouping(db)
    assert len(first) == len(CORPUS)
    truth = {i["id"]: i["story_id"] for i in CORPUS}
    assert bcubed({k: str(v) for k, v in first.items()}, truth)[2] >= 0.9
    assert rebuild_stories(db) == len(CORPUS)
    assert _partition(_grouping(db)) == _partition(first)
    shuffled = lines[:]
    random.Random(3).shuffle(shuffled)
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}", upgrade=True)
    try:
        import_lines(other, shuffled)
        assign_pending_stories(other)
        assert _partition(_grouping(other)) == _partition(first)
    finally:
        other.close()


def test_a_restarted_process_continues_from_storage(db):
    ordered = sorted(CORPUS, key=lambda i: (i["published"], i["id"]))
    half = len(ordered) // 2
    import_lines(db, _lines(ordered[:half]))
    assign_pending_stories(db)
    stories_step._desks.clear()  # a new process: the desk is rebuilt from the window
    import_lines(db, _lines(ordered[half:]))
    assert assign_pending_stories(db) == len(ordered) - half
    grouping = _grouping(db)
    truth = {i["id"]: i["story_id"] for i in CORPUS}
    assert bcubed({k: str(v) for k, v in grouping.items()}, truth)[2] >= 0.9
    wires = [i for i in ordered[half:] if i["kind"] == "wire"]
    by_key = {a.entry_key: a.id for a in article_store.all_articles(db)}
    found = sum(story_store.article_place(db, by_key["import:" + w["id"]]).duplicate_of
                is not None for w in wires)
    assert found >= 0.95 * len(wires)


def test_the_desk_never_merges_back_what_an_editor_split(db):
    ordered = sorted(CORPUS, key=lambda i: (i["published"], i["id"]))
    half = len(ordered) // 2
    import_lines(db, _lines(ordered[:half]))
    assign_pending_stories(db)
    by_key = {a.entry_key: a.id for a in article_store.all_articles(db)}
    originals = [by_key["import:" + i["id"]] for i in ordered[:half] if i["kind"] != "wire"]
    places = {a: story_store.article_place(db, a) for a in originals}
    story, members = max(((s, [a for a in originals if places[a].story_id == s])
                          for s in {p.story_id for p in places.values()}),
                         key=lambda kv: (len(kv[1]), kv[0]))
    assert len(members) >= 3
    moved = max(a for a in members if a != story)
    story_store.split_article(db, moved)
    # Later coverage of the same event, each a rewrite that is close to both parts.
    by_id = {i["id"]: i for i in ordered}
    source_of = {by_key["import:" + k]: i for k, i in by_id.items() if "import:" + k in by_key}
    later = [{**source_of[a], "id": f"again-{n}", "source": f"other-{n}",
              "url": f"https://other-{n}.test/again",
              "title": source_of[story]["title"] + " as " + source_of[moved]["title"],
              "text": " ".join(source_of[a]["text"].split()[::-1]),
              "published": dt.datetime.fromisoformat(str(source_of[a]["published"]))
              + dt.timedelta(hours=1)}
             for n, a in enumerate(members)]
    import_lines(db, _lines([*later, *ordered[half:]]))
    assign_pending_stories(db)
    assert str(moved) in stories_step._desks[db.url].locked
    after = story_store.article_place(db, moved)
    assert after.story_id == moved
    assert all(story_store.article_place(db, a).story_id != moved for a in members
               if a != moved)


def test_import_reports_bad_lines_and_dates_missing_ones_now(db):
    now = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    lines = ['{"title": "One", "text": "x"}', "not json", '{"title": "", "text": "y"}',
             '{"title": "Two", "text": "z", "published": "yesterday"}',
             '{"title": "Three", "text": "w", "id": 7, "published": "2024-04-30T08:00:00"}']
    report = import_lines(db, lines, now=now)
    assert report.imported == 2 and [n for n, _ in report.bad] == [2, 3, 4]
    stored = {a.title: a for a in article_store.all_articles(db)}
    assert stored["One"].published == now
    assert stored["Three"].published == dt.datetime(2024, 4, 30, 8, tzinfo=dt.UTC)
    assert stored["Three"].entry_key == "import:7"
    assert import_lines(db, lines, now=now).already == 2
