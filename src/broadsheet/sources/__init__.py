"""The sources stage: subscriptions, feed discovery, OPML and WebSub."""

from broadsheet.sources.opml import export_opml, import_opml, parse_opml, write_opml
from broadsheet.sources.subscribe import discover_feed, subscribe

__all__ = ["discover_feed", "export_opml", "import_opml", "parse_opml", "subscribe",
           "write_opml"]
