"""Content-block choice: when trafilatura's body looks cut short, second opinions.

trafilatura sometimes settles on one section of an article (the part under the
first subheading, a card inside the story) and returns clean but partial text; our
own pruning sometimes removes a wrapper that held the story ("content-sidebar").
trafilatura consults readability itself only when readability finds more than
twice as much. Here, when the body holds clearly less than the page's own prose
(``cut_short``), readability's block and then trafilatura on the unpruned page are
asked (the second only if the body is still far short), and one is taken only if it ``extends`` the body: clearly more sentence-long
text that contains what we had, the same article and not another region.
"""

from __future__ import annotations

import copy
import re
from collections import Counter

from lxml import etree, html
from trafilatura.external import sanitize_tree, try_readability
from trafilatura.settings import Extractor

# Readability is asked when the body holds less than this share of the page's prose;
# the costlier second trafilatura pass only below the second share (every gain on
# the WCXB tuning half was below 0.35).
READABILITY_SHORT = 0.9
UNPRUNED_SHORT = 0.5
# Readability's block must have this much more sentence-long text (as a share and in
# characters: an author bio is not a missed half of the article) and hold this share
# of our words. Chosen on the WCXB tuning half.
_LONGER = 1.2
_MORE = 400
_CONTAINS = 0.7
# Blocks at least this long are sentences, not labels, bylines or link titles.
_SENTENCE = 80
_WORD = re.compile(r"\w+")


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def contained_share(part: str, whole: str) -> float:
    """The share of ``part``'s words (counted with repeats) that ``whole`` also has."""
    ours, theirs = _words(part), _words(whole)
    total = sum(ours.values())
    return sum((ours & theirs).values()) / total if total else 0.0


def cut_short(text: str, prose: int, share: float = READABILITY_SHORT) -> bool:
    """True when a body holds less than ``share`` of the page's sentence-long ``prose``."""
    return len(text) < share * prose


def readability_body(tree: html.HtmlElement, url: str | None) -> etree._Element | None:
    """Readability's block of ``tree`` in trafilatura's XML, or None when it found nothing.

    The caller cleans it and keeps it only if it ``extends`` the body it has.
    """
    candidate = try_readability(copy.deepcopy(tree))
    if not " ".join(candidate.itertext()).strip():
        return None
    options = Extractor(output_format="xml", comments=False, formatting=True, links=True,
                        images=True, tables=True, url=url)
    body, _text = sanitize_tree(candidate, options)
    return body


def _prose(text: str) -> int:
    return sum(len(block) for block in text.split("\n\n") if len(block) >= _SENTENCE)


def extends(text: str, fuller: str) -> bool:
    """True when ``fuller`` has clearly more sentence-long blocks and contains ``text``."""
    ours, theirs = _prose(text), _prose(fuller)
    return (theirs > _LONGER * ours and theirs - ours >= _MORE
            and contained_share(text, fuller) >= _CONTAINS)
