"""The fetch stage: HTTP with conditional GET, limits, politeness and the address guard."""

from broadsheet.fetch.client import FEED_ACCEPT, PAGE_ACCEPT, FetchConfig, Fetcher, fetch_url
from broadsheet.fetch.guard import AddressGuard

__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "AddressGuard", "FetchConfig", "Fetcher", "fetch_url"]
