"""extract_article on hand-written pages: clutter gone, every paragraph kept, metadata right.

Each ``tests/data/extract/<case>.html`` has a ``<case>.json`` beside it: the expected
metadata fields, the paragraphs that must all be in the text, and clutter strings
that must not appear in the text or the HTML.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from broadsheet.errors import ExtractError
from broadsheet.extract import excerpt, extract_article

DATA = Path(__file__).parent / "data" / "extract"
CASES = sorted(p.stem for p in DATA.glob("*.json"))
BASE_URLS = {"page_clutter": "https://valley.example/business/orchard"}
FIELDS = ("title", "authors", "image", "image_credit", "image_caption", "canonical_url",
          "site_name", "language", "description")


def _extract(case: str):
    return extract_article((DATA / f"{case}.html").read_bytes(),
                           url=BASE_URLS.get(case, f"https://ledger.example/{case}"))


@pytest.mark.parametrize("case", CASES)
def test_golden_fields(case):
    expected = json.loads((DATA / f"{case}.json").read_text(encoding="utf-8"))
    article = _extract(case).to_json()
    for name in FIELDS:
        if name in expected:
            assert article[name] == expected[name], name
    for name in ("published", "updated"):
        if name in expected:
            assert article[name] == expected[name], name


@pytest.mark.parametrize("case", CASES)
def test_every_paragraph_kept_and_clutter_gone(case):
    expected = json.loads((DATA / f"{case}.json").read_text(encoding="utf-8"))
    article = _extract(case)
    paragraphs = article.text.split("\n\n")
    for paragraph in expected["paragraphs"]:
        assert paragraph in paragraphs
    for clutter in expected["absent"]:
        assert clutter not in article.text, clutter
        assert clutter not in article.html, clutter


@pytest.mark.parametrize("case", CASES)
def test_text_shape(case):
    text = _extract(case).text
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert all(p.strip() == p and p for p in text.split("\n\n"))


def test_html_is_sanitised_with_absolute_links():
    article = _extract("inline_clutter")
    assert "<script" not in article.html
    assert 'href="/' not in article.html and 'src="/' not in article.html
    assert "<p>" in article.html


def test_datetimes_are_aware_and_keep_their_offset():
    article = _extract("inline_clutter")
    assert article.published == dt.datetime(2023, 11, 2, 12, 15, tzinfo=dt.UTC)
    assert article.published.utcoffset() == dt.timedelta(hours=-5)


PAGE = """<html lang="{lang}"><head><title>{title}</title>{head}</head>
<body><article><h1>Storm closes the coast road</h1>{body}
<p>The coast road between the two villages was closed on Monday after the storm brought down
a section of the sea wall, the county council said in a short statement that afternoon.</p>
<p>Engineers expect the repairs to take at least a fortnight, and buses will run on the inland
route in the meantime, adding around twenty minutes to the usual journey time.</p>
</article></body></html>"""


def _page(title="Storm closes the coast road", head="", body="", lang="en"):
    return PAGE.format(title=title, head=head, body=body, lang=lang)


@pytest.mark.parametrize("title", [
    "Storm closes the coast road | Harbour Times",
    "Storm closes the coast road - Harbour Times",
    "Harbour Times | Storm closes the coast road",
])
def test_title_loses_site_name(title):
    head = '<meta property="og:site_name" content="Harbour Times">'
    assert extract_article(_page(title, head)).title == "Storm closes the coast road"


def test_title_keeps_its_own_dash_without_h1():
    page = _page("Rain – and more rain | Harbour Times").replace("<h1>Storm closes the coast road</h1>", "")
    assert extract_article(page).title == "Rain – and more rain"


@pytest.mark.parametrize(("head", "url", "day"), [
    ('<meta property="article:published_time" content="2022-05-06T10:00:00Z">', None, "2022-05-06"),
    ('<meta name="date" content="2021-01-02">', None, "2021-01-02"),
    ("", "https://x.example/2020/03/04/slug", "2020-03-04"),
])
def test_published_sources(head, url, day):
    published = extract_article(_page(head=head), url=url).published
    assert published is not None and published.tzinfo is not None
    assert published.date().isoformat() == day


def test_published_from_time_element():
    body = '<p class="meta"><time datetime="2019-07-08T09:10:00+02:00">8 July</time></p>'
    published = extract_article(_page(body=body)).published
    assert published == dt.datetime(2019, 7, 8, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.mark.parametrize(("raw", "names"), [
    ("By Jane Roe", ("Jane Roe",)),
    ("By Jane Roe and John Doe", ("Jane Roe", "John Doe")),
    ("Jane Roe, John Doe", ("Jane Roe", "John Doe")),
])
def test_authors_from_meta(raw, names):
    head = f'<meta name="author" content="{raw}">'
    assert extract_article(_page(head=head)).authors == names


def test_authors_from_visible_byline():
    body = '<p class="byline">By <a rel="author" href="/p/j">Jane Roe</a></p>'
    assert extract_article(_page(body=body)).authors == ("Jane Roe",)


def test_canonical_and_image_are_absolute():
    head = ('<link rel="canonical" href="/news/coast-road">'
            '<meta property="og:image" content="//cdn.example/img/road.jpg">')
    article = extract_article(_page(head=head), url="https://news.example/x?utm=1")
    assert article.canonical_url == "https://news.example/news/coast-road"
    assert article.image == "https://cdn.example/img/road.jpg"


def test_language_from_text_then_html_lang():
    assert extract_article(_page(lang="fr")).language == "en"
    assert extract_article("<html lang='de-AT'><body><p>Kurz.</p></body></html>").language == "de"


@pytest.mark.parametrize(("data", "expected"), [
    ("<html><head><meta charset='utf-8'></head><body><p>Café crème</p></body></html>".encode(), "Café"),
    (b"\xef\xbb\xbf<html><body><p>Caf\xc3\xa9</p></body></html>", "Café"),
    ("<html><head><meta charset='iso-8859-1'></head><body><h1>Café</h1></body></html>".encode("cp1252"), "Café"),
    ("<html><body><h1>“Café”</h1></body></html>".encode("cp1252"), "“Café”"),
    ("<html><head><meta charset='iso-8859-1'></head><body><p>Café\u00a0crème</p></body></html>".encode(),
     "Café\u00a0crème"),
])
def test_bytes_are_decoded(data, expected):
    from broadsheet.extract.decode import decode_html

    assert expected in decode_html(data)


def test_cp1252_page_gives_clean_text():
    article = _extract("page_clutter")
    assert "Â" not in article.text and "\ufffd" not in article.text


@pytest.mark.parametrize("page", ["", "   ", b"", b"\x00\x00"])
def test_unparseable_page_raises_extract_error(page):
    with pytest.raises(ExtractError, match="^extract: "):
        extract_article(page)


def test_page_without_article_is_empty_not_an_error():
    article = extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert article.text == ""


def test_excerpt_keeps_whole_paragraphs_within_limit():
    text = "One two three four.\n\nFive six seven.\n\nEight nine ten eleven twelve."
    assert excerpt(text, words=7) == "One two three four.\n\nFive six seven."
    assert excerpt(text, words=3) == "One two three…"
    assert excerpt("", words=5) == ""


def test_excerpt_cuts_long_first_paragraph_at_sentence():
    text = "First sentence is here. Second sentence goes on and on and on without end"
    assert excerpt(text, words=8) == "First sentence is here."


def test_h1_loses_a_short_label_after_a_pipe():
    page = _page().replace("<h1>Storm closes the coast road</h1>",
                           "<h1>Storm closes the coast road | Opinion</h1>")
    assert extract_article(page).title == "Storm closes the coast road"


def test_meta_date_written_out_and_date_by_the_headline():
    head = '<meta name="published" content="July 17, 2025">'
    assert extract_article(_page(head=head)).published.date() == dt.date(2025, 7, 17)
    page = _page().replace("</h1>", "</h1><p class='when'>Last updated: March 3, 2024</p>")
    assert extract_article(page).published.date() == dt.date(2024, 3, 3)


@pytest.mark.parametrize("clutter", [
    "<p>Table of Contents</p>",
    "<p>As an Amazon Associate we earn from qualifying purchases made through links here.</p>",
    "<p>Next article: <a href='/n'>Ferry timetable changes</a></p>",
    "<p>6 min read</p>",
])
def test_in_body_clutter_lines_go(clutter):
    text = extract_article(_page(body=clutter)).text
    assert "Table of Contents" not in text and "Amazon" not in text
    assert "Next article" not in text and "min read" not in text
    assert "The coast road between" in text


def test_sentences_starting_with_prompt_words_stay():
    body = ("<p>More information is available from the council.</p>"
            "<p>Read the full statement on the council's website, officials said.</p>")
    text = extract_article(_page(body=body)).text
    assert "More information is available from the council." in text


def test_prompts_nested_in_lists_go_but_list_content_stays():
    body = ("<ul><li>The inland route adds twenty minutes to the journey for most drivers.</li>"
            "<li>Pin this for later!</li><li>Buses run every half hour from the station.</li></ul>")
    text = extract_article(_page(body=body)).text
    assert "Pin this" not in text
    assert "The inland route adds twenty minutes" in text and "Buses run every half hour" in text


_STORY = "".join(f"<p>Paragraph {n} of the harbour story, long enough to be prose that an "
                 "extractor keeps in the body of the article.</p>" for n in range(8))


@pytest.mark.parametrize(("head", "lead"), [
    ('<meta property="og:image" content="https://news.example/img/wall.jpg">',
     '<figure><img src="/img/wall.jpg" alt="The wall"><figcaption>The wall at low tide. '
     "Photo: Jo Lens</figcaption></figure>"),
    ("", '<p><img src="/img/wall.jpg" alt="The wall"></p>'),
    ('<meta property="og:image" content="https://news.example/img/wall.jpg?w=1200">',
     '<p><img src="https://news.example/img/wall.jpg?w=800" alt="The wall"></p>'),
])
def test_the_lead_image_is_in_image_not_repeated_in_html(head, lead):
    page = (f"<html><head><title>Harbour wall</title>{head}</head><body><article>"
            f"<h1>Harbour wall to be repaired</h1>{lead}{_STORY}"
            f'<p><img src="/img/crane.jpg" alt="A crane"></p>{_STORY}</article></body></html>')
    article = extract_article(page, url="https://news.example/a/1")
    assert article.image and "/img/wall.jpg" in article.image
    assert "wall.jpg" not in article.html
    assert '<img src="https://news.example/img/crane.jpg"' in article.html  # others stay
    assert "<p></p>" not in article.html and "<figure></figure>" not in article.html
    assert article.text.count("Paragraph 0 of the harbour story") == 2
