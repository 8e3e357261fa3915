"""The parse stage: feed bytes to ParsedFeed values (pure functions)."""

from broadsheet.parse.dates import parse_date
from broadsheet.parse.feed import parse_feed

__all__ = ["parse_date", "parse_feed"]
