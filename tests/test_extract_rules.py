"""Per-source extraction rules: CSS selectors to drop clutter and keep the article."""

from __future__ import annotations

import pytest

from broadsheet.errors import ExtractError
from broadsheet.extract import ExtractRules, extract_article, validate_rules

STORY = ("The harbour of the small town reopened on Tuesday after three days of closure, "
         "the port authority said in a statement published in the morning.")
MORE = ("Fishing boats returned to the water before dawn, and the ferry to the islands resumed "
        "its usual timetable, according to the operator of the line.")
CLUTTER = ("Our partners bring you the week's best offers on garden furniture, barbecues and "
           "outdoor heaters, with free delivery on every order over fifty pounds.")
ASIDE = ("Letters to the editor: the harbour master writes that the storm was the worst he "
         "has seen in forty years of service at the port.")
PAGE = f"""<html lang="en"><head><title>Harbour reopens</title></head><body>
<article><h1>Harbour reopens</h1>
<div class="story"><p>{STORY}</p><div class="partner-box"><p>{CLUTTER}</p></div><p>{MORE}</p></div>
<div class="letters"><p>{ASIDE}</p></div>
</article></body></html>"""


def test_without_rules_the_signature_still_works():
    article = extract_article(PAGE, "https://example.com/a")
    assert STORY in article.text


def test_drop_removes_matches_before_extraction():
    article = extract_article(PAGE, rules=ExtractRules(drop=(".partner-box",)))
    assert CLUTTER not in article.text and CLUTTER not in article.html
    assert STORY in article.text and MORE in article.text


def test_keep_takes_the_body_from_matches_only():
    article = extract_article(PAGE, rules=ExtractRules(keep=("div.story",)))
    assert STORY in article.text and MORE in article.text
    assert ASIDE not in article.text
    assert article.title == "Harbour reopens"


def test_keep_and_drop_together():
    rules = ExtractRules(keep=("div.story", "div.letters"), drop=("div.partner-box",))
    text = extract_article(PAGE, rules=rules).text
    assert all(part in text for part in (STORY, MORE, ASIDE))
    assert CLUTTER not in text


def test_keep_matching_nothing_gives_no_body_but_metadata():
    article = extract_article(PAGE, rules=ExtractRules(keep=("#no-such-thing",)))
    assert article.text == "" and article.title == "Harbour reopens"


@pytest.mark.parametrize("selector", ["div[", "p:unknown-pseudo", "", "   ", "a" * 600, "::before"])
def test_bad_selector_raises_extract_error(selector):
    rules = ExtractRules(drop=(selector,))
    with pytest.raises(ExtractError, match="^extract: bad selector"):
        validate_rules(rules)
    with pytest.raises(ExtractError, match="^extract: bad selector"):
        extract_article(PAGE, rules=rules)


def test_a_string_instead_of_a_tuple_is_refused():
    with pytest.raises(ExtractError, match="^extract: bad selector"):
        validate_rules(ExtractRules(keep="div.story"))  # type: ignore[arg-type]


def test_good_rules_validate():
    validate_rules(ExtractRules(keep=("article .body", "main > p"), drop=("[data-ad]", ".x, .y")))
