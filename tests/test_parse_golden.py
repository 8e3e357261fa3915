"""Golden files: every format and encoding in tests/data/feeds/<case>.(xml|jsonfeed)
parses to exactly tests/data/feeds/<case>.json.

Regenerate after a deliberate change with ``BROADSHEET_REGEN_GOLDEN=1 pytest
tests/test_parse_golden.py`` and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os
from pathlib import Path
from typing import Any

import pytest

from broadsheet.parse import parse_feed
from broadsheet.types import ParsedFeed

FEEDS = Path(__file__).parent / "data" / "feeds"
CASES = sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".jsonfeed"))
CONTENT_TYPES = {
    "enc_header_wins": "application/rss+xml; charset=windows-1251",
    "enc_latin1_label_utf8_bytes": "text/xml; charset=ISO-8859-1",
    "enc_utf16le_bom": "text/xml; charset=utf-8",
    "jsonfeed10": "application/feed+json",
}


def as_json(value: Any) -> Any:
    """A ParsedFeed as plain JSON values, dates in ISO 8601 with their offset."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _parse(case: Path) -> ParsedFeed:
    return parse_feed(case.read_bytes(), f"https://feeds.example/{case.name}",
                      CONTENT_TYPES.get(case.stem, ""))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path) -> None:
    got = as_json(_parse(case))
    expected_path = case.with_suffix(".json")
    if os.environ.get("BROADSHEET_REGEN_GOLDEN"):
        expected_path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(expected_path.read_text())


def test_every_format_has_a_golden_file() -> None:
    formats = {json.loads(c.with_suffix(".json").read_text())["format"] for c in CASES}
    assert formats >= {"rss090", "rss091", "rss092", "rss20", "rss10", "atom03", "atom10",
                       "json10", "json11"}


@pytest.mark.parametrize("case", [c for c in CASES if c.stem.startswith("enc_")],
                         ids=lambda c: c.stem)
def test_no_mojibake(case: Path) -> None:
    feed = _parse(case)
    text = feed.title + feed.entries[0].title + feed.entries[0].summary
    assert not any(bad in text for bad in ("Ã", "â€", "Â", "\ufffd", "Ð", "Ñ"))
    assert any(ord(c) > 127 for c in text)


# Focused cases, one per class of feed the conformance corpus showed we misread
# (tests/test_parse_conformance.py runs the corpus itself).


def _feed(xml: str, content_type: str = "") -> ParsedFeed:
    return parse_feed(xml.encode("utf-8"), "https://feeds.example/feed", content_type)


@pytest.mark.parametrize("namespace", ["", ' xmlns="http://purl.org/echo/"',
                                       ' xmlns="http://example.org/pie-draft#"'])
def test_atom_in_any_or_no_namespace(namespace: str) -> None:
    feed = _feed(f'<feed version="0.2"{namespace}><title>Desk</title><entry>'
                 "<id>urn:x:1</id><title>First</title></entry></feed>")
    assert feed.title == "Desk"
    assert [(e.guid, e.title) for e in feed.entries] == [("urn:x:1", "First")]


def test_atom_base64_media_type_is_decoded() -> None:
    feed = _feed('<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                 '<title type="application/octet-stream">Tm9vbiAmIG5pZ2h0</title>'
                 '<content type="image/png">PGk+aGk8L2k+</content></entry></feed>')
    assert feed.entries[0].title == "Noon & night"
    assert feed.entries[0].content == "&lt;i&gt;hi&lt;/i&gt;"


def test_atom_link_without_href_uses_its_text() -> None:
    feed = _feed('<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>'
                 '<link rel="alternate" type="text/html">https://news.example/a</link>'
                 "</entry></feed>")
    assert feed.entries[0].link == "https://news.example/a"


@pytest.mark.parametrize("namespace", ["http://backend.userland.com/rss2",
                                       "http://backend.userland.com/rss"])
def test_rss_in_a_default_namespace(namespace: str) -> None:
    feed = _feed(f'<rss version="2.0" xmlns="{namespace}"><channel><title>Desk</title>'
                 "<description>Local news</description><item><title>First</title>"
                 "<link>https://news.example/1</link></item></channel></rss>")
    assert (feed.title, feed.description) == ("Desk", "Local news")
    assert [(e.title, e.link) for e in feed.entries] == [("First", "https://news.example/1")]


def test_rss_item_without_channel_is_read_once() -> None:
    feed = _feed("<rss><item><title>Lone</title><guid>g1</guid></item></rss>")
    assert [e.title for e in feed.entries] == ["Lone"]


def test_rss_dublin_core_and_media_fallbacks() -> None:
    feed = _feed('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
                 ' xmlns:media="http://search.yahoo.com/mrss/"><channel>'
                 "<dc:title>Desk</dc:title><dc:description>About</dc:description>"
                 "<item><dc:title>From DC</dc:title><dc:description>Said and done"
                 "</dc:description></item>"
                 "<item><media:group><media:title>From media</media:title>"
                 "<media:description>1 &lt; 2</media:description></media:group>"
                 "<media:category>politics</media:category>"
                 "<media:category>economy</media:category></item></channel></rss>")
    assert (feed.title, feed.description) == ("Desk", "About")
    first, second = feed.entries
    assert (first.title, first.summary) == ("From DC", "Said and done")
    assert (second.title, second.summary) == ("From media", "1 &lt; 2")
    assert second.categories == ("politics", "economy")


def test_atom_media_description_is_a_summary_fallback() -> None:
    feed = _feed('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media='
                 '"http://search.yahoo.com/mrss/"><entry><title>T</title><media:group>'
                 '<media:description type="html">&lt;b&gt;bold&lt;/b&gt;</media:description>'
                 "</media:group></entry></feed>")
    assert feed.entries[0].summary == "<b>bold</b>"


def test_rss_xhtml_body_and_fullitem_are_content() -> None:
    feed = _feed('<rss version="2.0"><channel><item><title>A</title>'
                 '<body xmlns="http://www.w3.org/1999/xhtml"><p>Full <em>story</em></p></body>'
                 "</item><item><title>B</title><fullitem>&lt;p&gt;Whole&lt;/p&gt;</fullitem>"
                 "</item></channel></rss>")
    assert [e.content for e in feed.entries] == ["<p>Full <em>story</em></p>", "<p>Whole</p>"]


def test_itunes_fallbacks_and_element_case() -> None:
    feed = _feed('<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>'
                 "<TITLE>Show</TITLE><itunes:subtitle>Weekly talk</itunes:subtitle><item>"
                 "<title>Ep 1</title><itunes:author>Ann Lee</itunes:author>"
                 "<itunes:summary>Talk &amp; more</itunes:summary>"
                 '<itunes:category text="News"><itunes:category text="Politics"/>'
                 "</itunes:category></item></channel></rss>")
    assert (feed.title, feed.description) == ("Show", "Weekly talk")
    entry = feed.entries[0]
    assert entry.authors == ("Ann Lee",)
    assert entry.summary == "Talk &amp; more"
    assert entry.categories == ("News", "Politics")


@pytest.mark.parametrize("written", ["Ann Lee (ann@news.example)", "Ann Lee <ann@news.example>",
                                     "ann@news.example (Ann Lee)"])
def test_author_name_without_its_address(written: str) -> None:
    feed = _feed('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                 f"<item><author>{html.escape(written)}</author></item>"
                 f"<item><dc:creator>{html.escape(written)}</dc:creator></item>"
                 "</channel></rss>")
    assert [e.authors for e in feed.entries] == [("Ann Lee",), ("Ann Lee",)]


def test_atom03_inline_xml_keeps_its_div_atom10_drops_the_wrapper() -> None:
    body = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div>'
    old = _feed('<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>'
                f'<content type="application/xhtml+xml" mode="xml">{body}</content>'
                "</entry></feed>")
    new = _feed('<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                f'<content type="xhtml">{body}</content></entry></feed>')
    assert old.entries[0].content == "<div><p>Hi</p></div>"
    assert new.entries[0].content == "<p>Hi</p>"


def test_atom_repeated_date_last_stands_and_language_underscore() -> None:
    feed = _feed('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_GB"><entry>'
                 "<updated>2020-01-01T00:00:00Z</updated><updated>2021-06-01T12:00:00Z</updated>"
                 "</entry></feed>")
    assert feed.language == "en-GB"
    assert feed.entries[0].updated == dt.datetime(2021, 6, 1, 12, tzinfo=dt.UTC)


def test_rss_plain_body_is_content_and_inline_svg_keeps_its_namespace() -> None:
    feed = _feed('<rss version="2.0"><channel><item><body><p>Story</p></body></item><item>'
                 '<description><svg xmlns="http://www.w3.org/2000/svg" width="1"/></description>'
                 "</item></channel></rss>")
    assert feed.entries[0].content == "<p>Story</p>"
    assert 'xmlns="http://www.w3.org/2000/svg"' in feed.entries[1].summary


def test_atom_empty_href_is_the_xml_base() -> None:
    feed = _feed('<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/feed">'
                 '<link rel="self" href=""/><entry><link href=""/></entry></feed>')
    assert feed.self_url == "https://news.example/feed"
    assert feed.entries[0].link == "https://news.example/feed"


def test_html_titles_are_plain_text_through_the_fallback_too() -> None:
    from broadsheet.parse.feed import parse_with_feedparser

    body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;b&gt;Desk'
            b'&lt;/b&gt; &amp;amp; co</title><subtitle type="text">a &lt;b&gt; tag</subtitle>'
            b'<entry><title type="html">&lt;em&gt;Big&lt;/em&gt; news</title>'
            b"<summary>1 &lt; 2</summary></entry></feed>")
    for feed in (parse_feed(body, "https://feeds.example/", ""),
                 parse_with_feedparser(body, "https://feeds.example/")):
        assert (feed.title, feed.description) == ("Desk & co", "a <b> tag")
        assert (feed.entries[0].title, feed.entries[0].summary) == ("Big news", "1 &lt; 2")


def test_cdf_channel_without_items_is_a_feed() -> None:
    feed = _feed('<CHANNEL HREF="https://news.example/"><TITLE>Desk</TITLE>'
                 "<ABSTRACT>Local news</ABSTRACT></CHANNEL>")
    assert (feed.format, feed.title, feed.site_url, feed.description, feed.entries) == \
        ("cdf", "Desk", "https://news.example/", "Local news", ())
