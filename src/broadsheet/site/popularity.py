"""Counting readers for Most Popular, privately.

How a view is counted: the article page carries a 1x1 image beacon
(``/articles/<id>/view.gif``, ``Cache-Control: no-store``). Loading it records one view
under a mark hashed from the reader's address, user agent and the article with a salt
that lives for one day (see ``store/views.py``): no cookie is set, no address is stored,
and the same reader reading the same article twice in a day counts once.

Why a beacon and not the article GET itself: the page stays free of writes (so it can
be cached, answered with 304, benchmarked and crawled without skewing counts), and most
crawlers, link previewers and feed readers never load images. Known bots that do are
ignored by user agent. Readers who block images are not counted; that is acceptable.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import views as view_store
from broadsheet.store.articles import StoredArticle

BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"feedfetcher|feedparser|rss|curl/|wget/|python-|httpx|aiohttp|go-http-client|java/|"
    r"okhttp|libwww|scrapy|headless|lighthouse|pingdom|uptime|monitor",
    re.IGNORECASE,
)
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
       b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
"""A transparent 1x1 GIF: the beacon's body."""
POPULAR_CACHE_SECONDS = 60.0


def is_bot(user_agent: str) -> bool:
    """True for empty user agents and those of known crawlers, fetchers and tools."""
    return not user_agent.strip() or bool(BOTS.search(user_agent))


class ViewCounter:
    """Records beacon hits and answers Most Popular, with a short cache for the latter."""

    def __init__(self, db: Database, zone: ZoneInfo):
        self.db = db
        self.zone = zone
        self._salt: tuple[dt.date, str] | None = None
        self._popular: dict[int, tuple[float, list[tuple[StoredArticle, int]]]] = {}
        self._lock = threading.Lock()

    def today(self) -> dt.date:
        return dt.datetime.now(self.zone).date()

    def _salt_of(self, day: dt.date) -> str:
        with self._lock:
            if self._salt is not None and self._salt[0] == day:
                return self._salt[1]
        salt = view_store.daily_salt(self.db, day)
        view_store.prune_views(self.db, day)
        with self._lock:
            self._salt = (day, salt)
        return salt

    def count(self, article_id: int, address: str, user_agent: str) -> bool:
        """Count one view unless it is a bot's or a repeat; True if counted."""
        if is_bot(user_agent):
            return False
        day = self.today()
        mark = view_store.view_mark(self._salt_of(day), address, user_agent, article_id)
        return view_store.record_view(self.db, article_id, mark, day)

    def popular(self, days: int, limit: int = 5) -> list[tuple[StoredArticle, int]]:
        """Most viewed over the last ``days`` days, counted in whole days of the site's zone.

        Views are kept per day, so "24 hours" means today and yesterday: never empty
        just after midnight.
        """
        now = time.monotonic()
        with self._lock:
            cached = self._popular.get(days)
        if cached and now - cached[0] < POPULAR_CACHE_SECONDS:
            # One cheap query keeps an article hidden since it was cached off the list.
            hidden = article_store.hidden_ids(self.db, [a.id for a, _ in cached[1]])
            return [(a, n) for a, n in cached[1] if a.id not in hidden]
        since = self.today() - dt.timedelta(days=max(days - 1, 1))
        found = view_store.popular_articles(self.db, since, limit)
        with self._lock:
            self._popular[days] = (now, found)
        return found

    def forget(self) -> None:
        """Drop the Most Popular cache (tests, and after bulk changes)."""
        with self._lock:
            self._popular.clear()
