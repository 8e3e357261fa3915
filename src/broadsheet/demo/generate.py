"""Invent a small newsroom: outlets, events, and the articles that cover them.

Everything is derived from a seed, so a seed always gives the same newsroom (for
a fixed ``now``). Each event is written up by one to four outlets in their own
words (same story, different text); some are republished as *wire* copies (same
text, other boilerplate: near-duplicates); some are *near misses* (same topic and
region as an earlier event but another town, date and numbers). ``story_id``
labels the true event so clustering and de-duplication can be scored.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from broadsheet.demo import _names
from broadsheet.demo._writer import Draft, Event, copy_as_wire, make_event, write_story

FEED_FORMATS = ("rss", "atom", "json", "rss")
_COUNTRIES = (
    ("GB", 0), ("US", -300), ("IN", 330), ("AU", 600),
    ("IE", 60), ("CA", -240), ("NZ", 720), ("ZA", 120),
)  # fmt: skip
_OWNERSHIP = ("independent", "family-owned", "cooperative", "public broadcaster",
              "part of a regional media group", "nonprofit trust")
_COVERAGE_WEIGHTS = (10, 35, 35, 20)  # chance of 1, 2, 3 or 4 outlets covering an event


@dataclass(frozen=True)
class Outlet:
    """An invented news outlet; ``feed_format`` is 'rss', 'atom' or 'json'."""

    slug: str
    name: str
    country: str
    language: str
    ownership: str
    feed_format: str


@dataclass(frozen=True)
class DemoArticle:
    """One article as an outlet published it; ``kind`` is 'original', 'wire' or 'near_miss'."""

    outlet_slug: str
    slug: str
    title: str
    author: str
    published: dt.datetime
    paragraphs: tuple[str, ...]
    image_path: str
    image_credit: str
    image_caption: str
    related_title: str
    tags: tuple[str, ...]
    story_id: str
    kind: str


@dataclass(frozen=True)
class Newsroom:
    """The whole invented newsroom: outlets and their articles, newest first."""

    seed: int
    now: dt.datetime
    outlets: tuple[Outlet, ...]
    articles: tuple[DemoArticle, ...]
    _index: dict[tuple[str, str], DemoArticle] = field(
        default_factory=dict, repr=False, compare=False
    )

    _by_outlet: dict[str, tuple[DemoArticle, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index.update({(a.outlet_slug, a.slug): a for a in self.articles})
        grouped: dict[str, list[DemoArticle]] = {o.slug: [] for o in self.outlets}
        for article in self.articles:
            grouped.setdefault(article.outlet_slug, []).append(article)
        self._by_outlet.update({slug: tuple(items) for slug, items in grouped.items()})

    def article(self, outlet_slug: str, slug: str) -> DemoArticle:
        """Return the article ``slug`` of outlet ``outlet_slug``; KeyError if unknown."""
        return self._index[(outlet_slug, slug)]

    def outlet(self, slug: str) -> Outlet:
        """Return the outlet called ``slug``; KeyError if unknown."""
        for outlet in self.outlets:
            if outlet.slug == slug:
                return outlet
        raise KeyError(slug)

    def outlet_articles(self, slug: str) -> tuple[DemoArticle, ...]:
        """Return the articles of one outlet, newest first."""
        return self._by_outlet.get(slug, ())


def outlet_timezone(outlet: Outlet) -> dt.timezone:
    """Return the fixed UTC offset an outlet writes its timestamps in."""
    minutes = dict(_COUNTRIES).get(outlet.country, 0)
    return dt.timezone(dt.timedelta(minutes=minutes))


def make_outlets(rng: random.Random, count: int) -> tuple[Outlet, ...]:
    """Invent ``count`` outlets with distinct slugs, countries and feed formats."""
    outlets: list[Outlet] = []
    seen: set[str] = set()
    for index in range(count):
        name = _names.make_outlet_name(rng, index)
        slug = _names.slugify(name.removeprefix("The "))
        while slug in seen:
            slug += "-x"
        seen.add(slug)
        country = _COUNTRIES[index % len(_COUNTRIES)][0]
        outlets.append(Outlet(slug, name, country, "en", rng.choice(_OWNERSHIP),
                              FEED_FORMATS[index % len(FEED_FORMATS)]))
    return tuple(outlets)


def _plan_events(rng: random.Random, count: int, now: dt.datetime) -> list[Event]:
    events: list[Event] = []
    for index in range(count):
        when = now - dt.timedelta(minutes=rng.randint(180, 47 * 60))
        story_id = f"s{index + 1:03d}"
        if index % 6 == 3 and events:
            base = events[index - 3]
            events.append(make_event(rng, story_id, when, base.topic, base.slots["region"],
                                     near_miss_of=base.story_id))
        else:
            events.append(make_event(rng, story_id, when))
    return events


def pick_coverage(rng: random.Random, outlets: int, limit: int) -> int:
    """How many outlets cover an event: 1 to 4 by weight, at most ``limit`` and ``outlets``."""
    wanted = rng.choices(range(1, 5), weights=_COVERAGE_WEIGHTS)[0]
    return max(1, min(wanted, outlets, limit))


def _credit(rng: random.Random) -> str:
    return f"Photo: {_names.make_person(rng)} / {_names.make_agency(rng)}"


def make_newsroom(
    seed: int = 1, outlets: int = 4, events: int = 12, now: dt.datetime | None = None
) -> Newsroom:
    """Invent a newsroom: ``outlets`` outlets covering ``events`` events in the last ~48 h.

    ``now`` defaults to the current hour, so the demo always looks fresh.
    """
    if now is None:
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(f"broadsheet-demo-{seed}")
    all_outlets = make_outlets(rng, outlets)
    staff = {o.slug: [_names.make_person(rng) for _ in range(4)] for o in all_outlets}
    wire = _names.make_wire(rng)
    drafts: list[DemoArticle] = []
    for index, event in enumerate(_plan_events(rng, events, now)):
        has_wire = index % 4 == 1 and outlets > 1
        chosen = rng.sample(all_outlets, pick_coverage(rng, outlets, outlets - has_wire))
        kind = "near_miss" if event.near_miss_of else "original"
        written = []
        for variant, outlet in enumerate(chosen):
            when = event.when + dt.timedelta(minutes=rng.randint(5, 100))
            draft = write_story(event, variant)
            written.append(_article(outlet, draft, when, rng.choice(staff[outlet.slug]),
                                    _credit(rng), event, kind))
        drafts.extend(written)
        if has_wire:
            origin = written[0]
            target = rng.choice([o for o in all_outlets if o not in chosen])
            copy = copy_as_wire(Draft(origin.title, origin.paragraphs, origin.image_caption),
                                rng, wire, _outlet_name(all_outlets, origin.outlet_slug),
                                event.slots["town"])
            when = origin.published + dt.timedelta(minutes=rng.randint(20, 60))
            drafts.append(_article(target, copy, when, origin.author, origin.image_credit,
                                   event, "wire"))
    return Newsroom(seed, now, all_outlets, _finish(drafts, all_outlets))


def _outlet_name(outlets: tuple[Outlet, ...], slug: str) -> str:
    return next(o.name for o in outlets if o.slug == slug)


def _article(outlet: Outlet, draft: Draft, when: dt.datetime, author: str, credit: str,
             event: Event, kind: str) -> DemoArticle:
    slug = _names.slugify(draft.title, 8)
    return DemoArticle(
        outlet_slug=outlet.slug, slug=slug, title=draft.title, author=author,
        published=when.astimezone(outlet_timezone(outlet)), paragraphs=draft.paragraphs,
        image_path=f"/img/{outlet.slug}/{slug}.svg", image_credit=credit,
        image_caption=draft.caption, related_title="",
        tags=(*event.topic.tags, event.slots["town"]), story_id=event.story_id, kind=kind,
    )


def _finish(drafts: list[DemoArticle], outlets: tuple[Outlet, ...]) -> tuple[DemoArticle, ...]:
    """Make slugs unique per outlet, fill related headlines, sort newest first."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for article in drafts:
        slug = article.slug
        while (article.outlet_slug, slug) in seen:
            slug += "-2"
        seen.add((article.outlet_slug, slug))
        unique.append(replace(article, slug=slug,
                              image_path=f"/img/{article.outlet_slug}/{slug}.svg"))
    unique.sort(key=lambda a: a.published, reverse=True)
    by_outlet: dict[str, list[DemoArticle]] = {}
    for article in unique:
        by_outlet.setdefault(article.outlet_slug, []).append(article)
    done = []
    for article in unique:
        pool = by_outlet[article.outlet_slug] + unique[:20]
        related = next((a for a in pool if a.story_id != article.story_id), article)
        done.append(replace(article, related_title=related.title))
    return tuple(done)


def outlet_profiles(newsroom: Newsroom, base_url: str) -> list[dict[str, object]]:
    """Outlet profiles of the newsroom's invented outlets, in the starter file's shape.

    The outlets share one host, so each profile names its host and first path
    segment (``127.0.0.1/<slug>``). The facts are the generator's own; an invented
    outlet has nothing to cite, so the profiles carry no citations and the site
    shows the facts as plain text.
    """
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or "127.0.0.1"
    return [{"slug": f"demo-{o.slug}", "name": o.name, "domains": [f"{host}/{o.slug}"],
             "country": o.country, "language": o.language, "ownership": o.ownership,
             "citations": {}} for o in newsroom.outlets]
