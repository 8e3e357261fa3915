"""Invent events and write them up, once per covering outlet, in its own words.

An ``Event`` fixes the facts (names, places, numbers, weekday). ``write_story``
turns an event into a headline and paragraphs for one *variant*: variants of the
same event never share a sentence template, a quote or a paragraph order, so
their articles are about the same thing without being near-duplicates.
``copy_as_wire`` makes the opposite: a light re-edit of another outlet's text.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from broadsheet.demo import _names
from broadsheet.demo._topic import BACKGROUND, CLOSINGS, Topic
from broadsheet.demo._topics_civic import CIVIC_TOPICS
from broadsheet.demo._topics_world import WORLD_TOPICS

TOPICS: tuple[Topic, ...] = CIVIC_TOPICS + WORLD_TOPICS
_CURRENCIES = ("£", "€", "$")

# Paragraph plans: L lede, F0-F2 facts, QO/QX quotes, B0/B1 background, C closing.
_PLANS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("L",), ("F0", "F1"), ("QO", "B4"), ("F2", "B2"), ("QX",), ("B0", "B1"), ("B5",),
     ("B3", "C")),
    (("L", "B2"), ("QO",), ("F1", "B5"), ("F0", "F2"), ("B0", "B3"), ("QX", "B4"), ("B1", "C")),
    (("L", "F0"), ("B4", "B5"), ("QX",), ("F1", "B3"), ("QO",), ("F2", "B0"), ("B1", "B2"),
     ("C",)),
    (("L",), ("F2",), ("QO", "B3"), ("F0", "B4"), ("F1", "B0"), ("QX",), ("B5",), ("B1", "B2"),
     ("C",)),
)

# Each variant's house style: small word choices applied to the body.
_HOUSE_STYLES: tuple[dict[str, str], ...] = (
    {},
    {"percent": "per cent", "about": "around"},
    {"residents": "locals", "people": "residents", "roughly": "about"},
    {"percent": "%", "some": "about", "kilometres": "km"},
)


# One shuffled order of the background sentences per event offset: variants of an
# event take disjoint slices, and two events rarely share the same background.
_BACKGROUND_ORDERS = tuple(
    random.Random(n).sample(range(len(BACKGROUND)), len(BACKGROUND)) for n in range(1000)
)


@dataclass(frozen=True)
class Event:
    """The facts of one invented news event, shared by every outlet covering it."""

    story_id: str
    topic: Topic
    when: dt.datetime
    slots: dict[str, str]
    offset: int
    """Where this event starts in each list of phrasings, so events differ too."""
    near_miss_of: str | None = None


@dataclass(frozen=True)
class Draft:
    """One outlet's write-up of an event."""

    title: str
    paragraphs: tuple[str, ...]
    caption: str


def _numbers(rng: random.Random, topic: Topic) -> dict[str, str]:
    currency = rng.choice(_CURRENCIES)
    values = {}
    for key, (low, high) in topic.numbers.items():
        if key.startswith("cost"):
            values[key] = f"{currency}{rng.uniform(low, high):.1f}m"
        elif key == "century":
            values[key] = _ordinal(rng.randint(int(low), int(high)))
        else:
            values[key] = str(rng.randint(int(low), int(high)))
    return values


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number not in (11, 12, 13) else 0)
    return f"{number}{suffix or 'th'}"


def make_event(
    rng: random.Random,
    story_id: str,
    when: dt.datetime,
    topic: Topic | None = None,
    region: str | None = None,
    near_miss_of: str | None = None,
) -> Event:
    """Invent an event; pass ``topic`` and ``region`` to make a near miss of another."""
    topic = topic or rng.choice(TOPICS)
    town = _names.make_town(rng)
    slots = {
        "town": town,
        "region": region or _names.make_region(rng),
        "river": _names.make_river(rng),
        "official": _names.make_person(rng),
        "expert": _names.make_person(rng),
        "witness": _names.make_person(rng),
        "surname": _names.make_surname(rng),
        "team1": _names.make_team(rng, town),
        "team2": _names.make_team(rng, _names.make_town(rng)),
        "day": when.strftime("%A"),
        "population": f"{rng.randrange(4, 90) * 1000:,}",
        "past_year": str(rng.randrange(1950, 2015)),
    }
    slots.update(_numbers(rng, topic))
    slots["official_role"] = rng.choice(topic.official_roles).format_map(slots)
    slots["expert_role"] = rng.choice(topic.expert_roles).format_map(slots)
    slots["witness_role"] = rng.choice(topic.witness_roles).format_map(slots)
    slots["org"] = rng.choice(topic.orgs).format_map(slots)
    return Event(story_id, topic, when, slots, rng.randrange(1000), near_miss_of)


def _pick(options: tuple[str, ...], event: Event, salt: int, variant: int) -> str:
    return options[(event.offset + salt + variant) % len(options)]


def _style_re(style: dict[str, str]) -> re.Pattern[str] | None:
    if not style:
        return None
    return re.compile(r"\b(" + "|".join(map(re.escape, style)) + r")\b")


_STYLE_RES = tuple(_style_re(style) for style in _HOUSE_STYLES)


def _restyle(text: str, variant: int) -> str:
    index = variant % len(_HOUSE_STYLES)
    pattern = _STYLE_RES[index]
    if pattern is None:
        return text
    style = _HOUSE_STYLES[index]
    return pattern.sub(lambda m: style[m.group(1)], text)


def write_story(event: Event, variant: int) -> Draft:
    """Write ``event`` as outlet number ``variant`` of its coverage would."""
    topic, slots = event.topic, event.slots
    order = _BACKGROUND_ORDERS[event.offset]
    background = order[6 * variant % len(order) :] + order
    parts = {
        "L": _pick(topic.ledes, event, 1, variant),
        "QO": _pick(topic.quotes_official, event, 2, variant),
        "QX": _pick(topic.quotes_other, event, 3, variant),
        **{f"B{i}": BACKGROUND[background[i]] for i in range(6)},
        "C": _pick(CLOSINGS, event, 4, variant),
    }
    for index, phrasings in enumerate(topic.facts):
        parts[f"F{index}"] = _pick(phrasings, event, 5 + index, variant)
    plan = _PLANS[(event.offset + variant) % len(_PLANS)]
    text = "\n".join(" ".join(parts[key] for key in keys) for keys in plan)
    paragraphs = tuple(_restyle(text.format_map(slots), variant).split("\n"))
    title = _pick(topic.headlines, event, 0, variant).format_map(slots)
    caption = _pick(topic.captions, event, 6, variant).format_map(slots)
    return Draft(title[0].upper() + title[1:], paragraphs, caption)


_COPY_EDITS = {"said": "says", "percent": "per cent", "about": "around", "roughly": "some"}
_COPY_RE = re.compile(r"\b(" + "|".join(_COPY_EDITS) + r")\b")


def copy_as_wire(
    draft: Draft, rng: random.Random, wire: str, origin_name: str, town: str
) -> Draft:
    """Republish ``draft`` as a second outlet would: new boilerplate, a cut tail, light edits."""
    paragraphs = list(draft.paragraphs)
    if len(paragraphs) > 4 and rng.random() < 0.6:
        paragraphs.pop()
    if rng.random() < 0.6:
        target = rng.randrange(1, len(paragraphs))
        paragraphs[target] = _COPY_RE.sub(lambda m: _COPY_EDITS[m.group(1)], paragraphs[target])
    if rng.random() < 0.5:
        paragraphs[0] = f"{town.upper()} ({wire}) — {paragraphs[0]}"
    else:
        paragraphs.append(f"This article first appeared in {origin_name} and is republished "
                          "with permission.")
    title = draft.title
    if rng.random() < 0.4:
        title = title.rstrip(".") + f" | {wire}"
    return Draft(title, tuple(paragraphs), draft.caption)
