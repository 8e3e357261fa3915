"""Re-extraction from the desk: fetch an article's page again and store what it gives."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from broadsheet.errors import BroadsheetError
from broadsheet.extract import extract_article
from broadsheet.fetch import PAGE_ACCEPT, FetchConfig, Fetcher
from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.types import web_address
from broadsheet.update.decide import html_text
from broadsheet.update.policy import source_rules

log = logging.getLogger(__name__)


def reextract_article(db: Database, settings: Any, article: Any) -> str:
    """Fetch an article's page again, extract it with its source's rules, and store what
    it gives (the page's text when it is at least as full as the feed's, as when polled).
    Returns what happened, for the desk; failures are stored and reported, never raised."""
    url = web_address(article.canonical_url) or web_address(article.feed_link)
    if url is None:
        return "no page address to fetch"

    async def fetch() -> Any:
        async with Fetcher(FetchConfig.from_settings(settings)) as fetcher:
            return await fetcher.fetch(url, accept=PAGE_ACCEPT)

    kept = {"text": article.text, "html": article.html, "image": article.image,
            "image_credit": article.image_credit, "image_caption": article.image_caption,
            "extraction_method": article.extraction_method}
    try:
        source = source_store.get_source(db, article.source_id)
        page = asyncio.run(fetch())
        extracted = extract_article(page.body, page.final_url, rules=source_rules(source))
    except BroadsheetError as error:
        article_store.update_extraction(db, article.id, **kept, extraction_error=str(error))
        return f"re-extract failed: {error}"
    except Exception as error:  # a bug must not cost the editor the page
        log.exception("re-extract failed", extra={"article_id": article.id})
        return f"re-extract failed: {type(error).__name__}"
    feed_text = article.text if article.extraction_method == "feed" else \
        html_text(article.summary)
    page_text = extracted.text
    if not page_text.strip() or len(page_text) < 0.6 * len(feed_text):
        message = "extract: the page gave less text than the feed; kept the feed's"
        article_store.update_extraction(db, article.id, **kept, extraction_error=message)
        return message
    article_store.update_extraction(
        db, article.id, text=page_text, html=extracted.html,
        image=web_address(extracted.image) or article.image,
        image_credit=extracted.image_credit or article.image_credit,
        image_caption=extracted.image_caption, extraction_method="page",
        extraction_error=None)
    return f"re-extracted from the page ({len(page_text)} characters)"
