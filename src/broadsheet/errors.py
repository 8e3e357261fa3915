"""One exception tree for the whole package.

Foreign errors (aiohttp, lxml, sqlite3, psycopg) are translated into these at the
boundary of the stage that met them; their message starts with the stage name.
"""


class BroadsheetError(Exception):
    """Base of every error Broadsheet raises on purpose."""


class ConfigError(BroadsheetError):
    """A setting is missing, malformed or contradicts another."""


class SourceError(BroadsheetError):
    """A subscription could not be added, found, imported or exported."""


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
