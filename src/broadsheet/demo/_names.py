"""Invented proper names: towns, regions, rivers, people, teams, outlets, agencies.

Names are built from syllables so the pool is large (hundreds of thousands of
towns, about a million people) and no real outlet or person is copied. Every
function takes a ``random.Random`` so the caller controls determinism.
"""

from __future__ import annotations

import random
import re

_SYLLABLES = (
    "ash", "bel", "brack", "cal", "dun", "el", "fen", "gar", "hal", "kel",
    "lor", "mar", "nor", "os", "pen", "quar", "ros", "sel", "tarn", "ul",
    "ver", "wen", "yar", "zel", "brin", "cor", "drum", "ev", "fal", "gil",
    "har", "ith", "jor", "kin", "lin", "mor", "nev", "ock", "pell", "rud",
    "sav", "thorn", "vel", "wy", "bran", "cress", "dal", "ern",
)  # fmt: skip
_TOWN_SUFFIXES = (
    "ford", "wick", "ton", "by", "mouth", "haven", "bury", "stead", "field",
    "more", "dale", "port", "minster", "ley", "holm", "combe", "thwaite",
)  # fmt: skip
_TOWN_PREFIXES = ("", "", "", "", "", "Upper ", "Port ", "East ", "West ", "North ", "Little ")
_REGION_KINDS = ("Valley", "Coast", "Plain", "Hills", "Downs", "Lowlands", "Uplands", "Vale")
_SURNAME_ENDINGS = ("s", "er", "in", "ell", "ow", "ard", "ley", "son", "et", "ik", "ane", "aby")
_FIRST_NAMES = (
    "Anna", "Tomas", "Priya", "Kofi", "Lena", "Marek", "Ines", "Daniel", "Yara", "Owen",
    "Mei", "Rafael", "Sofia", "Idris", "Hanna", "Joel", "Amara", "Felix", "Noor", "Emil",
    "Clara", "Ravi", "Zofia", "Aidan", "Leila", "Bruno", "Maya", "Stefan", "Aiko", "Luca",
    "Greta", "Samir", "Elin", "Jonah", "Farah", "Ivo", "Nadia", "Pavel", "Rosa", "Tariq",
    "Vera", "Kenji", "Olga", "Hugo", "Asha", "Milan", "Freya", "Omar", "Teodor", "Lucia",
    "Dara", "Nils", "Beatriz", "Cormac", "Esme", "Gideon", "Ilse", "Kwame", "Marta", "Rhys",
)  # fmt: skip
_TEAM_KINDS = ("Rovers", "United", "Athletic", "Wanderers", "Town", "Albion", "Harriers")
_PAPER_WORDS = ("Courier", "Ledger", "Gazette", "Chronicle", "Dispatch", "Sentinel", "Post")
_PAPER_WORDS_2 = ("Observer", "Record", "Tribune", "Examiner", "Bulletin", "Mercury", "Star")
_AGENCY_KINDS = ("Images", "Pictures", "Photo", "Press Photo", "Visuals", "Picture Desk")
_WIRE_KINDS = ("News Agency", "Press Association", "Newswire", "Wire Service")


def _stem(rng: random.Random) -> str:
    first, second = rng.sample(_SYLLABLES, 2)
    return first + second


def make_town(rng: random.Random) -> str:
    """Return an invented town name such as ``"Upper Kelrosby"``."""
    return rng.choice(_TOWN_PREFIXES) + (_stem(rng) + rng.choice(_TOWN_SUFFIXES)).capitalize()


def make_region(rng: random.Random) -> str:
    """Return an invented region such as ``"Marfen Valley"``."""
    return f"{_stem(rng).capitalize()} {rng.choice(_REGION_KINDS)}"


def make_river(rng: random.Random) -> str:
    """Return an invented river such as ``"River Tarnela"``."""
    return f"River {(_stem(rng) + rng.choice('ae')).capitalize()}"


def make_surname(rng: random.Random) -> str:
    """Return an invented surname such as ``"Drumvelson"``."""
    return (_stem(rng) + rng.choice(_SURNAME_ENDINGS)).capitalize()


def make_person(rng: random.Random) -> str:
    """Return an invented full name: a common given name and an invented surname."""
    return f"{rng.choice(_FIRST_NAMES)} {make_surname(rng)}"


def make_team(rng: random.Random, town: str) -> str:
    """Return a sports club named after ``town``."""
    return f"{town} {rng.choice(_TEAM_KINDS)}"


def make_agency(rng: random.Random) -> str:
    """Return an invented photo agency such as ``"Norwen Pictures"``."""
    return f"{_stem(rng).capitalize()} {rng.choice(_AGENCY_KINDS)}"


def make_wire(rng: random.Random) -> str:
    """Return an invented news agency such as ``"Calmor Press Association"``."""
    return f"{_stem(rng).capitalize()} {rng.choice(_WIRE_KINDS)}"


def make_outlet_name(rng: random.Random, index: int) -> str:
    """Return an invented newspaper name; ``index`` varies the pattern between outlets."""
    town = (_stem(rng) + rng.choice(_TOWN_SUFFIXES)).capitalize()
    pattern = index % 4
    if pattern == 0:
        return f"The {town} {rng.choice(_PAPER_WORDS)}"
    if pattern == 1:
        return f"{_stem(rng).capitalize()} {rng.choice(_PAPER_WORDS_2)}"
    if pattern == 2:
        return f"{town} Daily {rng.choice(_PAPER_WORDS)}"
    return f"The Morning {rng.choice(_PAPER_WORDS_2)} of {town}"


def slugify(text: str, max_words: int = 10) -> str:
    """Return a lower-case, hyphenated ASCII slug of ``text``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "item"
