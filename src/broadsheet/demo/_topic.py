"""The shape of a news topic, and the sentences every topic may borrow.

A ``Topic`` holds several phrasings for every part of a story (headline, lede,
each fact, each quote, caption). Outlets covering the same event pick different
phrasings, so their articles share names and numbers but not sentences.

Templates are ``str.format`` strings over an event's slots: ``town``, ``region``,
``river``, ``official``, ``official_role``, ``expert``, ``expert_role``,
``witness``, ``witness_role``, ``org``, ``day``, ``team1``, ``team2`` and the
topic's own numbers (keys starting with ``cost`` are money, e.g. ``"€4.2m"``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """Phrasings for one kind of news event (a bridge reopening, a storm...)."""

    key: str
    tags: tuple[str, ...]
    orgs: tuple[str, ...]
    official_roles: tuple[str, ...]
    expert_roles: tuple[str, ...]
    witness_roles: tuple[str, ...]
    numbers: dict[str, tuple[float, float]]
    headlines: tuple[str, ...]
    ledes: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]
    """Each inner tuple: alternative phrasings of one fact."""
    quotes_official: tuple[str, ...]
    quotes_other: tuple[str, ...]
    captions: tuple[str, ...]


BACKGROUND: tuple[str, ...] = (
    "{town} has a population of a little over {population} and sits at the edge of the {region}.",
    "The {region} has seen several similar stories in recent years.",
    "Local groups in {town} say the issue has been discussed for a long time.",
    "Opposition members in the {region} have asked for a full account of the decisions taken.",
    "The town's weekly market was busier than usual on {day}.",
    "Residents of {town} had raised the matter at several public meetings.",
    "Officials in the {region} said they would publish more details in the coming weeks.",
    "{town}, which grew up around a crossing of the {river}, is known for its old stone quay.",
    "A public meeting on the subject is planned in {town} later this month.",
    "Figures published last year showed that {town} had grown faster than most of the {region}.",
    "The {region} assembly is expected to discuss the matter at its next session.",
    "Campaigners in {town} have kept a close watch on the issue for several years.",
    "Several shops near the {river} stayed open late on {day}.",
    "The news was widely shared on local message boards in {town} on {day}.",
    "An earlier plan for the area was dropped after objections from residents.",
    "Neighbouring towns in the {region} are watching the outcome closely.",
    "Travel in and around {town} was slower than usual on {day}.",
    "The last time the town made regional headlines was during the floods of {past_year}.",
    "{town}'s population of about {population} has changed little in a decade.",
    "Local radio in the {region} carried the story throughout {day}.",
    "A spokesperson for the {region} authority declined to comment on the timetable.",
    "The main road into {town} follows the {river} for several kilometres.",
    "Businesses along the {river} front said the day had been unusually busy.",
    "Community leaders in {town} called for the lessons to be written down and shared.",
    "{org} has faced questions from residents about how the decision was reached.",
    "A petition on the subject gathered several hundred signatures in {town} last year.",
    "The local newspaper archive records a similar debate in {town} in {past_year}.",
    "Schools in {town} said they would discuss the news with pupils.",
    "The nearest large city is more than an hour's drive from {town}.",
    "Volunteers from across the {region} offered help on {day}.",
    "Some residents said they had learned the news from neighbours rather than officials.",
    "The {region} has a long tradition of close-knit town life.",
    "Questions about the cost were raised at a packed meeting in the town hall.",
    "Visitors to {town} often stop at the old bridge over the {river}.",
    "{org} said it had received many messages from the public.",
    "Several families in {town} have lived there for generations.",
)

CLOSINGS: tuple[str, ...] = (
    "Further updates are expected in the coming days.",
    "{org} said it would publish a fuller statement next week.",
    "The story is developing and this article may be updated.",
    "More information is available from {org}.",
    "A follow-up report is due before the end of the month.",
    "Readers with information can contact the newsroom.",
    "{org} did not answer further questions on {day}.",
    "The next update from {org} is expected shortly.",
)

DAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip
