"""Story clustering: one event from several outlets is one story, whatever the order."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.stories.cluster import ClusterInput, StoryClusterer, cluster_articles
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


def _groups(assignment: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article_id, story_id in assignment.items():
        groups.setdefault(story_id, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}


def test_one_event_from_several_outlets_is_one_story() -> None:
    result = cluster_articles(ARTICLES)
    assert _groups(result) == {
        frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2"}), frozenset({"c1"}),
    }
    assert result["a2"] == "a1"  # a story is named after its first article


def test_online_assignment_matches_and_is_idempotent() -> None:
    clusterer = StoryClusterer()
    ordered = sorted(ARTICLES, key=lambda a: (a.published, a.id))
    result = {a.id: clusterer.assign(a) for a in ordered}
    assert _groups(result) == _groups(cluster_articles(ARTICLES))
    assert clusterer.assign(ordered[-1]) == result[ordered[-1].id]


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
