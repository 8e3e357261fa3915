"""The parser on hostile and arbitrary input: only ParseError, no entity tricks, bounded work."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.errors import ParseError
from broadsheet.parse import parse_feed
from broadsheet.parse.encoding import decode_document
from broadsheet.parse import safety
from broadsheet.parse.safety import make_safe
from broadsheet.types import FeedEntry
from broadsheet.update.decide import build_article
from tests.servers import Reply, ScriptedServer

_FRAGMENTS = st.sampled_from([
    b"<rss version='2.0'>", b"<channel>", b"<item>", b"</item>", b"<title>", b"</title>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"<!DOCTYPE x [", b"]>",
    b"<!ENTITY a 'b'>", b"&a;", b"&amp;", b"&#0;", b"<![CDATA[", b"]]>", b"\xef\xbb\xbf",
    b"\xff\xfe", b"<?xml version='1.0' encoding='utf-16'?>", b"{", b"}", b'"items":[',
    b"<!--", b"-->", b"&#X41;", b"&#146;", b"\xc2\x92", b'<!ENTITY a "x">',
    b'"version":"https://jsonfeed.org/version/1.1"', b"<rdf:RDF>", b"<link>", b"\x00", b"\x93",
])


def _run(body: bytes) -> None:
    try:
        parse_feed(body, "https://fuzz.example/feed", "")
    except ParseError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_parse_error(body: bytes) -> None:
    _run(body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=20)), max_size=40))
def test_feedish_bytes_raise_only_parse_error(parts: list[bytes]) -> None:
    _run(b"".join(parts))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500), st.sampled_from(["", "text/xml; charset=utf-16",
                                                "application/json", "text/xml; charset=bogus"]))
def test_arbitrary_text_in_any_label(text: str, content_type: str) -> None:
    try:
        parse_feed(text.encode("utf-8", "surrogatepass"), "https://fuzz.example/", content_type)
    except ParseError:
        pass


def test_entity_bomb_is_not_expanded_and_is_fast() -> None:
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 12))
    body = (f'<!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}]><rss version="2.0"><channel>'
            f"<title>&l11;</title><item><guid>1</guid><title>&l11;&l11;</title></item>"
            f"</channel></rss>").encode()
    started = time.monotonic()
    feed = parse_feed(body, "https://bomb.example/")
    assert time.monotonic() - started < 1.0
    assert len(feed.title) < 100 and len(feed.entries[0].title) < 100


def test_external_entities_and_dtds_are_never_fetched(server: ScriptedServer) -> None:
    server.route("/evil.dtd", Reply(200, b'<!ENTITY secret "leaked">'))
    server.route("/secret.txt", Reply(200, b"leaked"))
    body = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}" ['
            f'<!ENTITY x SYSTEM "{server.url("/secret.txt")}">'
            f'<!ENTITY % p SYSTEM "{server.url("/evil.dtd")}"> %p;]>'
            f"<rss version='2.0'><channel><title>&x;&secret;</title></channel></rss>").encode()
    feed = parse_feed(body, server.url("/feed.xml"))
    assert "leaked" not in feed.title
    assert server.hits["/evil.dtd"] == 0 and server.hits["/secret.txt"] == 0


def test_make_safe_keeps_cdata_and_turns_html_entities_numeric() -> None:
    safe = make_safe("<a>&nbsp;&eacute; AT&T &bogus; <![CDATA[&nbsp; & x]]></a>")
    assert safe == "<a>&#160;&#233; AT&amp;T &amp;bogus; <![CDATA[&nbsp; & x]]></a>"


def test_html_meta_charset_is_read_when_nothing_else_says() -> None:
    body = '<html><head><meta charset="windows-1251"></head><body>Мост</body></html>'
    text, used = decode_document(body.encode("cp1251"))
    assert "Мост" in text and used == "cp1251"


def test_oversized_document_is_refused() -> None:
    try:
        parse_feed(b"<rss>" + b" " * (17 * 1024 * 1024) + b"</rss>", "https://big.example/")
    except ParseError as error:
        assert "larger than" in str(error)
    else:
        raise AssertionError("no ParseError")


def test_future_dates_are_clamped_and_missing_dates_take_first_seen() -> None:
    seen = dt.datetime(2025, 9, 1, 14, 0, tzinfo=dt.UTC)
    future = FeedEntry(key="id:1", title="t", published=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    missing = FeedEntry(key="id:2", title="t")
    zoned = FeedEntry(key="id:3", title="t", published=dt.datetime(
        2025, 9, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))))
    assert build_article(1, future, seen=seen, feed_only=True).published == seen
    assert build_article(1, missing, seen=seen, feed_only=True).published == seen
    kept = build_article(1, zoned, seen=seen, feed_only=True)
    assert kept.published == dt.datetime(2025, 9, 1, 13, 0, tzinfo=dt.UTC)
    assert kept.published_offset == -240


def test_comment_mentioning_doctype_before_the_root_is_kept_whole() -> None:
    body = (b"<!-- sample: <!DOCTYPE is not closed here --><rss version='2.0'><channel>"
            b"<title>Desk</title><item><title>One</title></item></channel></rss>")
    feed = parse_feed(body, "https://feeds.example/", "")
    assert (feed.title, [e.title for e in feed.entries]) == ("Desk", ["One"])


def test_uppercase_hex_character_references_are_read() -> None:
    body = (b"<rss version='2.0'><channel><item><title>&#X41;&#x42;&#67;</title></item>"
            b"</channel></rss>")
    assert parse_feed(body, "https://feeds.example/", "").entries[0].title == "ABC"


def test_literal_dtd_entities_are_substituted_nested_ones_are_not() -> None:
    body = (b'<!DOCTYPE rss [<!ENTITY site "tag:news.example,"><!ENTITY two "&site;&site;">]>'
            b"<rss version='2.0'><channel><item><guid isPermaLink='false'>&site;2024:/a</guid>"
            b"<title>&two;</title></item></channel></rss>")
    entry = parse_feed(body, "https://feeds.example/", "").entries[0]
    assert entry.guid == "tag:news.example,2024:/a"
    assert entry.title == "&two;"  # a reference inside a declaration is never expanded


def test_windows_1252_characters_written_as_c1_controls_are_repaired() -> None:
    body = ("<rss version='2.0'><channel><item><title>don\x92t</title>"
            "<description>it&#146;s</description></item></channel></rss>").encode("utf-8")
    entry = parse_feed(body, "https://feeds.example/", "").entries[0]
    assert (entry.title, entry.summary) == ("don\u2019t", "it\u2019s")


def test_utf8_written_as_one_reference_per_byte_is_repaired() -> None:
    body = (b"<rss version='2.0'><channel><item><title>Wait&#226;&#128;&#166; caf&#195;&#169;"
            b" &#233;t&#233;</title></item></channel></rss>")
    assert parse_feed(body, "https://feeds.example/", "").entries[0].title == \
        "Wait\u2026 caf\u00e9 \u00e9t\u00e9"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ab\"'<>& x", max_size=300), min_size=1, max_size=4),
       st.lists(st.integers(0, 5), max_size=300))
def test_declared_entities_add_no_more_than_the_budget(values: list[str],
                                                       uses: list[int]) -> None:
    declarations = "".join(f"<!ENTITY e{i} '{v.replace(chr(39), '')}'>"
                           for i, v in enumerate(values))
    body = "".join(f"&e{u};" for u in uses)
    document = f"<!DOCTYPE rss [{declarations}]><rss><channel><title>{body}</title></channel></rss>"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safety, "MAX_EXPANSION", 2000)
        safe = make_safe(document)
    assert "<!DOCTYPE" not in safe and "<!ENTITY" not in safe
    assert len(safe) <= len(document) + 2000


def test_doctype_whose_entity_values_look_like_tags_is_still_removed() -> None:
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 9))
    text = f"<!DOCTYPE rss [<!ENTITY a '<b'>{laughs}]><rss><title>&l8;</title></rss>"
    safe = make_safe(text)
    assert "<!DOCTYPE" not in safe and "<!ENTITY" not in safe
    assert safe.endswith("<rss><title>&amp;l8;</title></rss>")
