"""Broadsheet: a self-hosted news desk.

Feeds in; clean, attributed, de-duplicated and grouped news pages out.
"""

from broadsheet.errors import (
    BroadsheetError,
    ExtractError,
    FetchError,
    ParseError,
    SourceError,
    StorageError,
)
from broadsheet.types import ExtractedArticle

__version__ = "0.1.0"

__all__ = [
    "BroadsheetError",
    "ExtractError",
    "ExtractedArticle",
    "FetchError",
    "ParseError",
    "SourceError",
    "StorageError",
    "__version__",
    "extract_article",
]


def extract_article(html: str | bytes, url: str | None = None) -> ExtractedArticle:
    """Extract the clean article, with its metadata, from one page's HTML."""
    from broadsheet.extract import extract_article as _extract

    return _extract(html, url=url)
