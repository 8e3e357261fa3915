"""A large labelled story corpus from the demo newsroom's invented world.

``generate_story_corpus(seed, n)`` yields articles whose ``story_id`` names the true
event, so clustering and de-duplication can be scored; some are wire copies of another
outlet's text (``duplicate_of``), some near misses of an earlier event. Used by the
benchmarks (stories, ingest) and by tests of the stories stage; the product never needs it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from broadsheet.demo import (
    Draft,
    Event,
    Outlet,
    copy_as_wire,
    make_event,
    make_outlets,
    make_wire,
    outlet_timezone,
    pick_coverage,
    slugify,
    write_story,
)

OUTLETS = 60
START = dt.datetime(2024, 1, 1, 6, tzinfo=dt.UTC)


def generate_story_corpus(seed: int, n_articles: int) -> Iterator[dict[str, object]]:
    """Yield ``n_articles`` labelled articles for clustering and de-duplication benchmarks.

    Each dict has id, title, text, url, published (ISO 8601), source, story_id,
    kind ('original', 'wire', 'near_miss') and duplicate_of (the id a wire copies).
    """
    rng = random.Random(f"broadsheet-corpus-{seed}")
    outlets = make_outlets(rng, OUTLETS)
    by_slug = {o.slug: o for o in outlets}
    wire = make_wire(rng)
    recent: list[Event] = []
    count = 0
    event_index = 0
    while count < n_articles:
        event_index += 1
        when = START + dt.timedelta(minutes=7 * event_index + rng.randint(0, 600))
        event = _next_event(rng, f"e{event_index:06d}", when, recent)
        recent = [*recent[-49:], event]
        kind = "near_miss" if event.near_miss_of else "original"
        chosen = rng.sample(outlets, pick_coverage(rng, len(outlets), 4))
        first: dict[str, object] | None = None
        for variant, outlet in enumerate(chosen):
            if count >= n_articles:
                return
            count += 1
            item = _corpus_item(count, outlet, write_story(event, variant),
                                when + dt.timedelta(minutes=rng.randint(5, 240)), event, kind)
            first = first or item
            yield item
        if first is not None and count < n_articles and rng.random() < 0.25:
            count += 1
            taken = {o.slug for o in chosen}
            target = rng.choice([o for o in outlets if o.slug not in taken])
            origin = by_slug[str(first["source"])]
            draft = Draft(str(first["title"]), tuple(str(first["text"]).split("\n\n")), "")
            copy = copy_as_wire(draft, rng, wire, origin.name, event.slots["town"])
            yield _corpus_item(count, target, copy,
                               when + dt.timedelta(minutes=rng.randint(250, 400)), event,
                               "wire", duplicate_of=str(first["id"]))


def _next_event(rng: random.Random, story_id: str, when: dt.datetime,
                recent: list[Event]) -> Event:
    """A new event; about one in eight is a near miss of a recent one (same topic, region)."""
    if recent and rng.random() < 0.12:
        base = rng.choice(recent)
        return make_event(rng, story_id, when, base.topic, base.slots["region"],
                          near_miss_of=base.story_id)
    return make_event(rng, story_id, when)


def _corpus_item(number: int, outlet: Outlet, draft: Draft, when: dt.datetime, event: Event,
                 kind: str, duplicate_of: str | None = None) -> dict[str, object]:
    local = when.astimezone(outlet_timezone(outlet))
    slug = slugify(draft.title, 8)
    return {
        "id": f"a{number:07d}",
        "title": draft.title,
        "text": "\n\n".join(draft.paragraphs),
        "url": f"https://{outlet.slug}.example/{local:%Y/%m/%d}/{slug}-{number}",
        "published": local.isoformat(),
        "source": outlet.slug,
        "story_id": event.story_id,
        "kind": kind,
        "duplicate_of": duplicate_of,
    }
