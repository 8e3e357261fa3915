"""Golden files: every format and encoding in tests/data/feeds/<case>.(xml|jsonfeed)
parses to exactly tests/data/feeds/<case>.json.

Regenerate after a deliberate change with ``BROADSHEET_REGEN_GOLDEN=1 pytest
tests/test_parse_golden.py`` and read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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
