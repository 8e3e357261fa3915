"""Subscriptions: discovery from a site's page, OPML import/export round trip."""

from __future__ import annotations

from lxml import etree

from broadsheet.sources import export_opml, import_opml, parse_opml, subscribe
from broadsheet.store.sources import list_sources
from tests.servers import Reply, rss

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>From another reader</title></head>
  <body>
    <outline text="News">
      <outline text="Local">
        <outline type="rss" text="Harbour Times" xmlUrl="https://harbour.example/feed.xml"
                 htmlUrl="https://harbour.example/"/>
      </outline>
      <outline type="rss" title="Valley Courier" text="VC" xmlUrl="https://courier.example/rss"/>
    </outline>
    <outline type="rss" text="Loose feed" xmlUrl="https://loose.example/atom.xml"/>
    <outline type="rss" text="Not http" xmlUrl="ftp://bad.example/feed"/>
    <outline type="rss" text="Again" xmlUrl="https://loose.example/atom.xml"/>
  </body>
</opml>"""


def test_parse_opml_turns_folders_into_categories() -> None:
    feeds = {f.url: f for f in parse_opml(OPML)}
    assert set(feeds) == {"https://harbour.example/feed.xml", "https://courier.example/rss",
                          "https://loose.example/atom.xml"}
    assert feeds["https://harbour.example/feed.xml"].categories == ("News", "Local")
    assert feeds["https://courier.example/rss"].title == "Valley Courier"
    assert feeds["https://loose.example/atom.xml"].categories == ()


def test_import_export_round_trip(db) -> None:
    import_opml(db, OPML)
    import_opml(db, OPML)  # idempotent
    sources = list_sources(db)
    assert len(sources) == 3
    exported = export_opml(db)
    root = etree.fromstring(exported)
    assert root.get("version") == "2.0" and root.find("head/title") is not None
    assert root.find("head/dateCreated") is not None
    again = {f.url: f for f in parse_opml(exported)}
    original = {f.url: f for f in parse_opml(OPML)}
    assert {u: (f.title, f.categories) for u, f in again.items()} == \
        {u: (f.title, f.categories) for u, f in original.items()}
    assert again["https://harbour.example/feed.xml"].site_url == "https://harbour.example/"


def test_discovery_through_link_rel_alternate(db, settings, server) -> None:
    server.route("/", Reply(200, b"<html><head><link rel='alternate' "
                                 b"type='application/atom+xml' href='/feeds/main'></head></html>",
                            {"Content-Type": "text/html"}))
    server.route("/feeds/main", Reply(200, rss([], title="Main Feed")))
    source = subscribe(db, settings, server.url("/"))
    assert source.url == server.url("/feeds/main") and source.title == "Main Feed"


def test_discovery_through_common_paths(db, settings, server) -> None:
    server.route("/", Reply(200, b"<html><body>No links here</body></html>",
                            {"Content-Type": "text/html"}))
    server.route("/rss.xml", Reply(200, rss([], title="Found by path")))
    source = subscribe(db, settings, server.url("/"))
    assert source.url == server.url("/rss.xml")


def test_a_feed_address_is_taken_as_is(db, settings, server) -> None:
    server.route("/f", Reply(200, rss([], title="Direct")))
    assert subscribe(db, settings, server.url("/f")).url == server.url("/f")


def test_cli_import_show_export(tmp_path, server) -> None:
    from click.testing import CliRunner

    from broadsheet.cli import cli

    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    assert "imported 3" in runner.invoke(cli, [*home, "sources", "import", str(opml)]).output
    shown = runner.invoke(cli, [*home, "sources", "show", "1", "--json"])
    assert '"categories": ["News", "Local"]' in shown.output
    exported = runner.invoke(cli, [*home, "sources", "export"]).output
    assert {f.url for f in parse_opml(exported.encode())} == {f.url for f in parse_opml(OPML)}
