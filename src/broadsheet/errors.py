"""One exception tree for the whole package.

Foreign errors (aiohttp, lxml, sqlite3, psycopg) are translated into these at the
boundary of the stage that met them; their message starts with the stage name.
"""


class BroadsheetError(Exception):
    """Base of every error Broadsheet raises on purpose."""


class ConfigError(BroadsheetError):
    """A setting is missing, malformed or contradicts another."""


class NotFound(BroadsheetError):
    """What was asked for by id does not exist; the web layers answer 404."""


class SourceError(BroadsheetError):
    """A subscription could not be added, found, imported or exported."""


class SourceNotFound(NotFound, SourceError):
    """No source has the id asked for (a SourceError too, for callers that catch those)."""


class FetchError(BroadsheetError):
    """An HTTP fetch failed: network, status, limits or the address guard."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """The address guard refused to connect to an address (private, loopback, ...)."""


class ParseError(BroadsheetError):
    """A feed or document could not be understood."""


class ExtractError(BroadsheetError):
    """No article could be extracted from a page."""


class StorageError(BroadsheetError):
    """The database refused an operation or is out of date."""


class AccountError(BroadsheetError):
    """A user could not be created, found or changed."""


class StoryEditError(BroadsheetError):
    """A merge or split that cannot be done (no such story, same story, ...)."""


class SearchSyntaxError(BroadsheetError):
    """The reader's query cannot be understood; the message says how to fix it."""


class SearchTooComplexError(SearchSyntaxError):
    """The query is past one of the limits (length, words, prefixes, exclusions); 400."""


class SearchBudgetError(StorageError):
    """The search ran past its time budget and was stopped; 503, try a narrower query."""
