"""Story clustering: one event from several outlets is one story, whatever the order."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.common.corpus import generate_story_corpus
from broadsheet.stories.cluster import (
    SAME_SOURCE_PENALTY,
    ClusterInput,
    StoryClusterer,
    article_terms,
    cluster_articles,
)
from tests.test_stories_near_duplicates import (
    ORIGINAL,
    OTHER_EVENT_SAME_TOPIC,
    OTHER_OUTLET_SAME_EVENT,
    UNRELATED,
    WIRE_REPRINT,
)

T0 = dt.datetime(2024, 5, 7, 9, 0, tzinfo=dt.UTC)


def _at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


ARTICLES = [
    ClusterInput("a1", "Harrowgate bridge reopens after 18-month repair", ORIGINAL, _at(0),
                 "ledger"),
    ClusterInput("a2", "Tamsin crossing back in use as detour ends", OTHER_OUTLET_SAME_EVENT,
                 _at(3), "courier"),
    ClusterInput("a3", "Harrowgate bridge reopens", WIRE_REPRINT, _at(5), "herald"),
    ClusterInput("b1", "Pellwick footbridge shut over rotten supports", OTHER_EVENT_SAME_TOPIC,
                 _at(1), "ledger"),
    ClusterInput("c1", "Orchestra to open winter season with Nordic programme", UNRELATED,
                 _at(2), "courier"),
    ClusterInput("b2", "Rotten timber closes Pellwick school footbridge",
                 "Pellwick's footbridge over the Orrin is closed after surveyors found rotten "
                 "timber supports. Rhys Dannock of the district council said pupils would travel "
                 "by minibus and a replacement costing up to 600,000 pounds would take months.",
                 _at(4), "herald"),
]


def _background(days_before: float = 30.0, n: int = 300) -> list[ClusterInput]:
    """Generated articles a month earlier: the archive IDF is learned from.

    IDF learned from six articles alone says nothing about which words are rare;
    with an archive behind them, the names and numbers two outlets share are rare
    and the words every story uses are not. Far outside the window, they never
    join the articles under test.
    """
    start = T0 - dt.timedelta(days=days_before)
    return [ClusterInput(f"bg{k}", i["title"], i["text"], start + dt.timedelta(minutes=k),
                         i["source"]) for k, i in enumerate(generate_story_corpus(3, n))]


def _groups(assignment: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article_id, story_id in assignment.items():
        groups.setdefault(story_id, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}


def test_one_event_from_several_outlets_is_one_story() -> None:
    result = cluster_articles([*ARTICLES, *_background()])
    result = {a.id: result[a.id] for a in ARTICLES}
    assert _groups(result) == {
        frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2"}), frozenset({"c1"}),
    }
    assert result["a2"] == "a1"  # a story is named after its first article


def test_online_assignment_matches_and_is_idempotent() -> None:
    clusterer = StoryClusterer()
    ordered = sorted([*_background(), *ARTICLES], key=lambda a: (a.published, a.id))
    clusterer.learn_ahead(((a.id, article_terms(a.title, a.text)) for a in ordered),
                          published={a.id: a.published for a in ordered})
    placed = {a.id: clusterer.assign(a) for a in ordered}
    merges = clusterer.settle()
    result = {a: clusterer.story_of(a, story) for a, story in placed.items()}
    assert result == cluster_articles(ordered)
    assert {m.story_id for m in merges} == set(placed.values()) - set(result.values())
    assert clusterer.assign(ordered[-1]) == result[ordered[-1].id]


def test_a_joining_article_says_why() -> None:
    clusterer = StoryClusterer()
    clusterer.learn_idf([*_background(), *ARTICLES])
    for article in sorted(ARTICLES, key=lambda a: (a.published, a.id)):
        story = clusterer.assign(article)
        reason = clusterer.last_reason
        if story == article.id:
            assert reason is None
            continue
        assert reason is not None and reason.story_id == story
        assert reason.score >= reason.threshold == clusterer.threshold
        if story == "a1":
            assert "harrowgate" in reason.terms
    assert reason is not None and reason.describe().startswith("similarity 0.")
    assert "shared: " in reason.describe()


def _generated(n: int = 240) -> list[ClusterInput]:
    """A generated set with dates and outlets (the demo generator's labelled corpus)."""
    return [ClusterInput(i["id"], i["title"], i["text"],
                         dt.datetime.fromisoformat(str(i["published"])), i["source"])
            for i in generate_story_corpus(11, n) if i["kind"] != "wire"]


def test_the_same_event_weeks_later_is_another_story() -> None:
    items = _generated()
    stories = {}
    truth = {i["id"]: i for i in generate_story_corpus(11, 240)}
    for item in items:
        stories.setdefault(truth[item.id]["story_id"], []).append(item)
    event = max(stories.values(), key=len)
    repeat = [ClusterInput("again-" + a.id, a.title, a.text,
                           a.published + dt.timedelta(days=21), a.source) for a in event]
    result = cluster_articles([*items, *repeat])
    assert len({result[a.id] for a in event}) == 1
    assert len({result[a.id] for a in repeat}) == 1
    assert result[repeat[0].id] != result[event[0].id]
    # The same copies within the window do join the first telling.
    soon = [ClusterInput("soon-" + a.id, a.title, a.text, a.published + dt.timedelta(hours=2),
                         "other-" + a.source) for a in event]
    result = cluster_articles([*items, *soon])
    assert {result[a.id] for a in soon} == {result[event[0].id]}


def test_the_same_outlet_needs_a_closer_match() -> None:
    base = ARTICLES[0]
    probe = ClusterInput("p", ARTICLES[1].title, OTHER_OUTLET_SAME_EVENT, _at(3), "courier")
    scorer = StoryClusterer()
    scorer.learn_idf([*_background(), base, probe])
    scorer.assign(base)
    score = dict(scorer.nearest_stories(probe))["a1"]
    # A threshold between the penalised and the plain score: only the outlet differs.
    threshold = score * (1.0 - SAME_SOURCE_PENALTY / 2)
    for source, joins in (("courier", True), ("ledger", False)):
        clusterer = StoryClusterer(threshold=threshold)
        clusterer.learn_idf([*_background(), base, probe])
        clusterer.assign(base)
        article = ClusterInput("p", probe.title, probe.text, probe.published, source)
        assert (clusterer.assign(article) == "a1") is joins, source


def test_same_source_may_join_a_story() -> None:
    follow_up = ClusterInput("a4", "Harrowgate bridge: weight limit stays until June inspection",
                             ORIGINAL[:600], _at(8), "ledger")
    result = cluster_articles([*ARTICLES, follow_up])
    assert result["a4"] == result["a1"]


def test_the_window_bounds_a_story() -> None:
    late = ClusterInput("late", ARTICLES[1].title, OTHER_OUTLET_SAME_EVENT, _at(24 * 9), "post")
    result = cluster_articles([*ARTICLES, late], window_hours=72)
    assert result["late"] == "late"


def test_state_round_trips_through_json() -> None:
    clusterer = StoryClusterer()
    for article in ARTICLES[:4]:
        clusterer.assign(article)
    state = json.loads(json.dumps(clusterer.export_state()))
    restored = StoryClusterer.from_state(state)
    assert restored.export_state() == clusterer.export_state()
    for article in ARTICLES[4:]:
        assert restored.assign(article) == clusterer.assign(article)


def test_nearest_stories_ranks_by_score() -> None:
    clusterer = StoryClusterer()
    for article in ARTICLES[:5]:
        clusterer.assign(article)
    query = ClusterInput("q", "Harrowgate bridge", "The Harrowgate bridge over the Tamsin.",
                         _at(6), "x")
    nearest = clusterer.nearest_stories(query, limit=2)
    assert nearest[0][0] == "a1"
    assert all(score >= 0 for _, score in nearest)


def _variants() -> list[ClusterInput]:
    items = list(ARTICLES)
    for n in range(4):  # near-identical timestamps and ties in published time
        items.append(ClusterInput(f"t{n}", "Harrowgate bridge reopens", ORIGINAL[n * 50 :], _at(5),
                                  f"s{n}"))
    return items


@settings(max_examples=25, deadline=None)
@given(st.permutations(_variants()))
def test_batch_clustering_does_not_depend_on_input_order(items: list[ClusterInput]) -> None:
    assert cluster_articles(items) == cluster_articles(_variants())


def test_settle_merges_close_stories_but_never_a_locked_one() -> None:
    ordered = sorted(ARTICLES, key=lambda a: (a.published, a.id))
    for locked in ((), ("a1",)):
        clusterer = StoryClusterer(threshold=0.99)  # nothing joins on arrival
        clusterer.learn_idf([*_background(), *ARTICLES])
        placed = {a.id: clusterer.assign(a) for a in ordered}
        assert placed == {a.id: a.id for a in ARTICLES}
        merges = clusterer.settle(locked)
        now = {a: clusterer.story_of(a, s) for a, s in placed.items()}
        if locked:
            assert now["a1"] == "a1" and "a1" not in {m.into for m in merges}
            assert all(now[k] != "a1" for k in now if k != "a1")
            continue
        assert now["a2"] == now["a3"] == "a1"  # into the oldest story
        assert now["c1"] == "c1" and now["b1"] != "a1"
        merge = next(m for m in merges if m.story_id == "a2")
        assert merge.into == "a1" and merge.score >= merge.threshold
        assert merge.describe().startswith("story a2 merged in: similarity 0.")
        assert clusterer.settle() == []  # nothing touched since
