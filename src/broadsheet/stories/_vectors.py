"""Article text to weighted terms, the input of story clustering.

News about one event is recognised by who, where, what and how many, said first
in the headline and the lead. So terms from the title count more than the body's,
and the tail of a long article is mostly background and is not read at all.
Words are case-folded and lightly stemmed (``democrats``/``democratic``,
``korea``/``korean`` meet), counts are sublinear.

Measured on real labelled news (bench/stories/tune.py, on the train split):
boosting capitalised words (names) made grouping worse there, because the most
common names (a president, a party) are capitalised too, and so did a separate
name-and-number similarity; a title weight of 2, numbers weighted 1.5 and stemming
did best. ``idf_power`` (above 1 it favours rare words) is the clusterer's choice.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["STOPWORDS", "TermWeights", "article_terms", "stem", "surface_forms", "weigh_terms"]


@dataclass(frozen=True)
class TermWeights:
    """How an article's words are counted; the defaults were chosen on train (bench/stories)."""

    title: float = 2.0
    """Weight of a title word against a body word."""
    lead: float = 1.0
    """Weight of a word among the body's first ``lead_words``."""
    lead_words: int = 40
    name: float = 1.0
    """Boost of a word capitalised inside a sentence (a name)."""
    number: float = 1.5
    max_body_words: int = 300


DEFAULT_WEIGHTS = TermWeights()
MAX_TERMS = 60

STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all almost also although always am among an and
    another any are around as at be because been before being below between both but by
    can could did do does doing done down during each either else even ever every few for
    from further had has have having he her here hers herself him himself his how however
    i if in into is it its itself just last later least less like made make many may me
    might more most much must my myself near neither never new next no nor not now of off
    often on once one only or other others our ours ourselves out over own per perhaps
    put rather same says said say several she should since so some still such than that
    the their theirs them themselves then there these they this those though three
    through thus to today told too two under until up upon us very was we were what
    whatever when where whether which while who whom whose why will with within without
    would yet you your yours yourself yourselves according week weeks day days year years
    time times monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr
    reported report reports statement added including people first second many well back
    get got going go went see seen still told tells asked asks say""".split()
)
"""Words that say nothing about which event an article is about."""

_TOKEN = re.compile(r"\w+(?:[.,'’]\d+)*")
# Where a capital letter may start a sentence (or a quotation) rather than a name.
_SENTENCE_BREAK = re.compile(r"[.!?:;…]+[\"'”’»)\]]*\s+|\s*\n\s*|\s[\"“«‘(\[]|\s[—–-]\s")
_SUFFIXES = ("ation", "ing", "ed", "er", "ly", "ic", "ial", "al")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix-stripping stem: enough for plurals, -ing/-ed and nationalities.

    ``democrats``/``democratic`` -> ``democrat``, ``koreans``/``korean`` -> ``korea``.
    """
    if len(word) <= 4 or word[0].isdigit():
        return word
    if word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith(("ian", "ean")):
        return word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1 << 16)
def _term(token: str) -> str | None:
    """The term a token counts as, or None for a stopword or a stray letter."""
    word = token.casefold()
    if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
        return None
    return stem(word)


def _sentences(text: str) -> Iterator[str]:
    """``_SENTENCE_BREAK.split(text)``, lazily: a caller that stops early saves the rest."""
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        yield text[start:match.start()]
        start = match.end()
    yield text[start:]


def _terms(text: str) -> Iterator[tuple[str, str, int]]:
    """(term, token, position in its sentence) for every counted word of ``text``, in order.

    A generator: ``article_terms`` reads only the body's first ``max_body_words`` terms.
    """
    for sentence in _sentences(unicodedata.normalize("NFKC", text)):
        for position, token in enumerate(_TOKEN.findall(sentence)):
            term = _term(token)
            if term is not None:
                yield term, token, position


def article_terms(title: str, text: str, weights: TermWeights = DEFAULT_WEIGHTS
                  ) -> dict[str, float]:
    """Return the weights of an article's terms before IDF.

    Each weight is a sublinear count over positions (title, lead, rest) times the
    boost of its kind (name, number, plain word), as ``weights`` says.
    """
    counts: dict[str, float] = {}
    boosts: dict[str, float] = {}
    for term, _token, _position in _terms(title):
        counts[term] = counts.get(term, 0.0) + weights.title
        if term[0].isdigit():
            boosts[term] = weights.number
    for index, (term, token, position) in enumerate(_terms(text)):
        if index >= weights.max_body_words:
            break
        counts[term] = counts.get(term, 0.0) + (
            weights.lead if index < weights.lead_words else 1.0)
        if term[0].isdigit():
            boosts[term] = weights.number
        elif position and token[0].isupper():
            boosts[term] = weights.name
    log = math.log
    return {
        term: (1.0 + log(count) if count > 1.0 else count) * boosts.get(term, 1.0)
        for term, count in counts.items()
    }


def surface_forms(title: str, text: str, lead_chars: int = 600) -> dict[str, str]:
    """The first word as written for each term of an article's title and lead (to
    explain a placement; a term found later is shown as its stem)."""
    forms: dict[str, str] = {}
    for term, token, _position in [*_terms(title), *_terms(text[:lead_chars])]:
        forms.setdefault(term, token.casefold())
    return forms


def weigh_terms(
    counts: Mapping[str, float], idf: Mapping[str, float], unseen_idf: float,
    idf_power: float = 1.0,
) -> dict[str, float]:
    """Turn weighted counts into a unit TF-IDF vector of the ``MAX_TERMS`` strongest terms.

    IDF is raised to ``idf_power``: above 1, rare words (names, specifics) weigh more
    against the words every story of a kind shares.
    """
    get = idf.get
    weights = {term: weight * get(term, unseen_idf) ** idf_power
               for term, weight in counts.items()}
    if len(weights) > MAX_TERMS:
        kept = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
        weights = dict(kept)
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in weights.items()}
