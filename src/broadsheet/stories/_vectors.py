"""Article text to weighted terms, the input of story clustering.

News about one event is recognised by who, where and how many: names, places and
numbers, said first in the headline and the lead. So terms from the title and
the first words of the body count more, capitalised words inside a sentence
(names) and numbers count more, and runs of capitalised words also give a
two-word term ("new york"). The tail of a long article is mostly background and
is not read at all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

__all__ = ["STOPWORDS", "article_terms", "weigh_terms"]

TITLE_WEIGHT = 2.5
LEAD_WEIGHT = 1.5
LEAD_WORDS = 60
MAX_BODY_WORDS = 300
NAME_BOOST = 3.0
NUMBER_BOOST = 1.6
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


def article_terms(title: str, text: str) -> dict[str, float]:
    """Return the weights of an article's terms before IDF.

    Each weight is a sublinear count over positions (title, lead, rest) times
    the boost of its kind (name, number, plain word).
    """
    counts: dict[str, float] = {}
    boosts: dict[str, float] = {}
    _add_body(counts, boosts, unicodedata.normalize("NFKC", text))
    _add_title(counts, boosts, unicodedata.normalize("NFKC", title))
    log = math.log
    return {
        term: (1.0 + log(count) if count > 1.0 else count) * boosts.get(term, 1.0)
        for term, count in counts.items()
    }


def weigh_terms(
    counts: Mapping[str, float], idf: Mapping[str, float], unseen_idf: float
) -> dict[str, float]:
    """Turn weighted counts into a unit TF-IDF vector of the ``MAX_TERMS`` strongest terms."""
    get = idf.get
    weights = {term: weight * get(term, unseen_idf) for term, weight in counts.items()}
    if len(weights) > MAX_TERMS:
        kept = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
        weights = dict(kept)
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in weights.items()}


def _add_title(counts: dict[str, float], boosts: dict[str, float], title: str) -> None:
    # Headlines are often in Title Case, so a capital says nothing there: a title word
    # counts as a name when the body wrote it as one.
    previous = ""
    for token in _TOKEN.findall(title):
        term = token.casefold()
        if term in STOPWORDS or (len(term) < 2 and not term.isdigit()):
            previous = ""
            continue
        counts[term] = counts.get(term, 0.0) + TITLE_WEIGHT
        if term[0].isdigit():
            boosts[term] = NUMBER_BOOST
        if previous:
            pair = f"{previous} {term}"
            counts[pair] = counts.get(pair, 0.0) + TITLE_WEIGHT
            if pair not in boosts:
                boosts[pair] = 1.0
        previous = term


def _add_body(counts: dict[str, float], boosts: dict[str, float], text: str) -> None:
    index = 0
    for sentence in _SENTENCE_BREAK.split(text):
        previous_name = ""
        for position, token in enumerate(_TOKEN.findall(sentence)):
            if index >= MAX_BODY_WORDS:
                return
            index += 1
            term = token.casefold()
            if term in STOPWORDS or (len(term) < 2 and not term.isdigit()):
                previous_name = ""
                continue
            weight = LEAD_WEIGHT if index <= LEAD_WORDS else 1.0
            if term[0].isdigit():
                boosts[term] = NUMBER_BOOST
                previous_name = ""
            elif position and token[0].isupper():
                boosts[term] = NAME_BOOST
                if previous_name:
                    pair = f"{previous_name} {term}"
                    counts[pair] = counts.get(pair, 0.0) + weight
                    boosts[pair] = NAME_BOOST
                previous_name = term
            else:
                previous_name = ""
            counts[term] = counts.get(term, 0.0) + weight
