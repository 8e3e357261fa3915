"""The sources stage: subscriptions, feed discovery and (later) OPML and WebSub."""

from broadsheet.sources.subscribe import subscribe

__all__ = ["subscribe"]
