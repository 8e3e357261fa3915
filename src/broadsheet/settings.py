"""Settings: the site's typed table, and each source's own settings.

``Settings`` holds the site's settings, one typed field each. Precedence, lowest first:
built-in default < TOML file < environment (``BROADSHEET_<NAME>``) < command-line flags.
Nothing needs configuring to start; a misspelt name is an error, at start for a TOML
file and as an AttributeError for code.

``SourceSettings`` holds one source's settings (publishing mode, extraction rules, poll
bounds, categories, and what the pipeline records: interval, hub, GUID rotation). It has
one parser, ``SourceSettings.parse``, and one way to change it, ``apply``; the CLI, the
admin area and the pipeline all go through them.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from broadsheet.errors import ConfigError, SourceError

ENV_PREFIX = "BROADSHEET_"
log = logging.getLogger("broadsheet.settings")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default and what it is for."""

    name: str
    kind: type
    default: Any
    help: str


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """The site's resolved settings, one typed field per setting; ``origin(name)`` says
    where a value came from. ``Settings()`` is every default; ``replace`` changes some."""

    home: str = _setting("data", "Data folder: the SQLite database and other state live here.")
    config: str = _setting("", "TOML file of settings (default: <home>/broadsheet.toml if "
                           "present).")
    database_url: str = _setting("", "SQLAlchemy URL; default sqlite:///<home>/broadsheet.db.")
    host: str = _setting("127.0.0.1", "Address the web server listens on.")
    port: int = _setting(8000, "Port the web server listens on.")
    newsroom_port: int = _setting(8001, "Port of the offline demo newsroom that "
                                  "`broadsheet demo` serves its feeds from (on 127.0.0.1).")
    base_url: str = _setting("", "Public address of the site, for links in feeds and sitemaps.")
    site_title: str = _setting("Broadsheet", "The site's name, shown in the header.")
    timezone: str = _setting("UTC", "Time zone (IANA name) of the site's dates: lists, story "
                             "timelines and day pages use it; an article's own page shows its "
                             "outlet's offset.")
    user_agent: str = _setting("", "User-Agent sent with every request (default names the "
                               "software).")
    allowed_networks: str = _setting("", "Comma-separated CIDR blocks that may be fetched "
                                     "despite being private or loopback; nothing else "
                                     "non-public is reachable.")
    connect_timeout: float = _setting(10.0, "Seconds to wait for a connection.")
    fetch_timeout: float = _setting(30.0, "Seconds a whole request may take.")
    max_body_bytes: int = _setting(15 * 1024 * 1024, "Cap on a decompressed response body.")
    max_redirects: int = _setting(10, "Most redirects followed for one request.")
    concurrency: int = _setting(16, "Requests in flight at once, all hosts together.")
    per_host_concurrency: int = _setting(2, "Requests in flight at once to one host.")
    poll_min_interval: int = _setting(300, "Shortest time between two polls of a source, "
                                      "seconds.")
    poll_max_interval: int = _setting(86400, "Longest time between two polls of a source, "
                                      "seconds.")
    fetch_pages: bool = _setting(True, "Fetch each item's page to extract the full article.")
    publishing_mode: str = _setting("full", "'full' or 'excerpt': how much of an article the "
                                    "site shows.")
    excerpt_words: int = _setting(60, "Words shown in excerpt mode.")
    weather_url: str = _setting("", "Base address of an Open-Meteo-compatible weather API.")
    weather_place: str = _setting("", "Name of the place whose weather the header shows.")
    weather_latitude: float = _setting(0.0, "Latitude of the weather place.")
    weather_longitude: float = _setting(0.0, "Longitude of the weather place.")
    metrics_token: str = _setting("", "Bearer token that may read /metrics.")
    metrics_networks: str = _setting("127.0.0.0/8,::1/128", "CIDR blocks that may read "
                                     "/metrics without a token; requests carrying forwarded "
                                     "headers never qualify.")
    trusted_proxies: str = _setting("", "Comma-separated addresses or CIDR blocks of reverse "
                                    "proxies whose X-Forwarded-For/-Proto are believed; none "
                                    "by default.")
    password_hash_concurrency: int = _setting(2, "Password checks (Argon2id, ~64 MiB each) "
                                              "running at once in the web server; others "
                                              "wait their turn.")
    max_request_body_bytes: int = _setting(64 * 1024, "Largest request body accepted by "
                                           "logins, forms and APIs; bigger ones get 413 "
                                           "before they are read.")
    max_upload_bytes: int = _setting(10 * 1024 * 1024, "Largest request body of an OPML "
                                     "upload.")
    header_timeout: float = _setting(10.0, "Seconds a client may take to send a request's "
                                     "headers before the connection is closed.")
    body_timeout: float = _setting(30.0, "Seconds a client may take to send a request's body "
                                   "before it is refused with 408.")
    keep_alive_timeout: float = _setting(5.0, "Seconds an idle keep-alive connection stays "
                                         "open.")
    log_level: str = _setting("WARNING", "Logging level: DEBUG, INFO, WARNING, ERROR.")
    origins: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Where each value came from (a file path, env or flag); absent means the default."""

    def __post_init__(self) -> None:
        # Values given in code are held to the same types as those read from text.
        for setting in SETTINGS:
            value = _convert(setting, getattr(self, setting.name), self.origin(setting.name))
            object.__setattr__(self, setting.name, value)
        if not self.database_url:
            object.__setattr__(self, "database_url",
                               f"sqlite:///{Path(self.home) / 'broadsheet.db'}")
        if self.publishing_mode not in PUBLISHING_MODES:
            raise ConfigError("settings: publishing_mode must be 'full' or 'excerpt'")
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))

    def origin(self, name: str) -> str:
        """Say where a value came from: default, a file path, env or flag."""
        return self.origins.get(name, "default")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some values set as if by flags."""
        values = _layer({}, {}, changes, "flag")
        return dataclasses.replace(self, **values, origins={**self.origins,
                                                            **dict.fromkeys(values, "flag")})

    def rows(self) -> list[tuple[str, Any, str]]:
        """Every setting as (name, value, origin), in table order."""
        return [(s.name, getattr(self, s.name), self.origin(s.name)) for s in SETTINGS]

    @property
    def home_path(self) -> Path:
        """The data folder as a path."""
        return Path(self.home)

    @property
    def effective_user_agent(self) -> str:
        """The User-Agent sent: the setting, else one naming the software."""
        from broadsheet import __version__

        return self.user_agent or f"Broadsheet/{__version__} (+https://github.com/broadsheet)"


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, type(f.default), f.default, f.metadata["help"])
    for f in dataclasses.fields(Settings) if "help" in f.metadata)
"""The table of settings, in order: what ``broadsheet settings`` and the docs list."""

_BY_NAME = {s.name: s for s in SETTINGS}
PUBLISHING_MODES = ("full", "excerpt")


def _convert(setting: Setting, value: Any, origin: str) -> Any:
    if isinstance(value, setting.kind) and not (setting.kind is int and isinstance(value, bool)):
        return value
    text = str(value).strip()
    try:
        if setting.kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(text)
        return setting.kind(text)
    except ValueError:
        raise ConfigError(
            f"settings: {setting.name} from {origin} must be {setting.kind.__name__}, got {text!r}"
        ) from None


def _layer(values: dict[str, Any], origins: dict[str, str], given: Mapping[str, Any],
           origin: str) -> dict[str, Any]:
    """Lay ``given`` over ``values``, converted; unknown names are a ConfigError."""
    unknown = sorted(set(given) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"settings: unknown setting(s) in {origin}: {', '.join(unknown)}")
    for name, raw in given.items():
        values[name] = _convert(_BY_NAME[name], raw, origin)
        origins[name] = origin
    return values


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"settings: cannot read {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"settings: {path} is not valid TOML: {error}") from error
    table: dict[str, Any] = data.get("broadsheet", data)
    return table


def load_settings(
    flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting from defaults, the TOML file, the environment and flags."""
    env = os.environ if environ is None else environ
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env_values = {s.name: env[ENV_PREFIX + s.name.upper()] for s in SETTINGS
                  if ENV_PREFIX + s.name.upper() in env}
    home = flags.get("home") or env_values.get("home") or Settings.home
    config = flags.get("config") or env_values.get("config")
    config_path = Path(config) if config else Path(home) / "broadsheet.toml"
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    if config or config_path.exists():
        _layer(values, origins, _read_toml(config_path), str(config_path))
    _layer(values, origins, env_values, "env")
    _layer(values, origins, flags, "flag")
    if not values.get("database_url"):  # derived from home, so it counts as the default
        values.pop("database_url", None)
        origins.pop("database_url", None)
    return Settings(**values, origins=origins)


# --- one source's settings -------------------------------------------------------------

POLL_SECONDS = (60, 7 * 86400)
"""The bounds a source's own poll interval may be given within, seconds."""

_MAX_SELECTOR = 500


@dataclass(frozen=True)
class GuidRotation:
    """How often a feed re-issued known items under new GUIDs, and when it last did."""

    count: int
    last_seen: str


@dataclass(frozen=True)
class SourceSettings:
    """One source's settings as typed values: built by ``parse`` (strict) or ``read``
    (lenient, for stored values), changed by ``apply``, stored with ``stored``.

    Every value is valid by construction. ``extra`` holds stored entries this version
    does not use (unknown keys, and stored values that are unusable): they are written
    back as they were, so nothing stored is lost, and a change to that key replaces them.
    """

    publishing_mode: str | None = None
    """'full' or 'excerpt'; None follows the site's. Kept in the sources.publishing_mode
    column; every other value lives in the sources.settings JSON column."""
    feed_only: bool = False
    """Use the feed's content only, never fetch pages."""
    extract_selector: tuple[str, ...] = ()
    """CSS selectors: take the article body from these elements only ("keep")."""
    extract_remove: tuple[str, ...] = ()
    """CSS selectors: remove these elements before extraction ("drop")."""
    poll_min_interval: int | None = None
    poll_max_interval: int | None = None
    """The source's own poll bounds, seconds; None follows the site's."""
    categories: tuple[str, ...] = ()
    """Folders, as OPML and the reader apps show them."""
    poll_interval: int | None = None
    """Recorded by the pipeline: the interval the feed last earned, seconds."""
    feed_hint_seconds: int | None = None
    """Recorded by the pipeline: the feed's own refresh hint (ttl, sy:updatePeriod)."""
    hub: str | None = None
    topic: str | None = None
    """Recorded by the pipeline: the feed's WebSub hub and topic."""
    guid_rotation: GuidRotation | None = None
    """Recorded by the pipeline: known items seen again under new GUIDs."""
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name, parser in _SOURCE_FIELDS.items():
            value = getattr(self, name)
            if value is _SOURCE_DEFAULTS[name]:  # most are; None, False and () are singletons
                continue
            try:
                object.__setattr__(self, name, parser(value))
            except _Invalid as why:
                raise SourceError(f"sources: {name}: {why}") from None
        _check_bounds(self.poll_min_interval, self.poll_max_interval)
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    @classmethod
    def parse(cls, mapping: Mapping[str, Any]) -> SourceSettings:
        """Settings from a mapping of JSON values (or form text); SourceError names the
        first unusable field. Unknown keys are kept in ``extra``."""
        known = {k: v for k, v in mapping.items() if k in _SOURCE_FIELDS}
        return cls(**known, extra={k: v for k, v in mapping.items() if k not in known})

    @classmethod
    def read(cls, mapping: Mapping[str, Any], source_url: str = "") -> SourceSettings:
        """Stored settings, leniently: an unusable value is logged and its default used
        (the value is kept in ``extra``), so one bad setting never stops a source."""
        try:
            return cls.parse(mapping)
        except SourceError:
            pass  # find which, below
        values: dict[str, Any] = {}
        extra = {k: v for k, v in mapping.items() if k not in _SOURCE_FIELDS}
        for name in [n for n in _SOURCE_FIELDS if n in mapping]:
            try:
                values[name] = _SOURCE_FIELDS[name](mapping[name])
            except _Invalid as why:
                _ignored(source_url, f"{name}: {why}")
                extra[name] = mapping[name]
        try:
            _check_bounds(values.get("poll_min_interval"), values.get("poll_max_interval"))
        except SourceError:
            _ignored(source_url, "poll_min_interval is longer than poll_max_interval")
            for name in ("poll_min_interval", "poll_max_interval"):
                extra[name] = values.pop(name)
        return cls(**values, extra=extra)

    @classmethod
    def of(cls, source: Any) -> SourceSettings:
        """A stored source's settings (``types.Source``: its settings and publishing mode),
        read leniently."""
        return cls.read({**source.settings, "publishing_mode": source.publishing_mode},
                        source.url)

    def apply(self, changes: Mapping[str, Any]) -> SourceSettings:
        """These settings with ``changes`` made (None or '' restores a default); SourceError
        lists every unusable change, an unknown name or poll bounds the wrong way round."""
        unknown = sorted(set(changes) - set(_SOURCE_FIELDS))
        problems = [f"unknown setting(s): {', '.join(unknown)}"] if unknown else []
        values: dict[str, Any] = {}
        for name in [n for n in _SOURCE_FIELDS if n in changes]:
            try:
                values[name] = _SOURCE_FIELDS[name](changes[name])
            except _Invalid as why:
                problems.append(f"{name}: {why}")
        if problems:
            raise SourceError("sources: " + "; ".join(problems))
        current = {name: getattr(self, name) for name in _SOURCE_FIELDS}
        extra = {k: v for k, v in self.extra.items() if k not in values}
        return SourceSettings(**{**current, **values}, extra=extra)

    def to_json(self) -> dict[str, Any]:
        """Every value that is not its default, as JSON values; ``parse`` reads it back."""
        values: dict[str, Any] = dict(self.extra)
        for name, default in _SOURCE_DEFAULTS.items():
            value = getattr(self, name)
            if value == default:
                continue
            if name in ("extract_selector", "extract_remove"):
                value = ",".join(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, GuidRotation):
                value = {"count": value.count, "last_seen": value.last_seen}
            values[name] = value
        return values

    def stored(self) -> dict[str, Any]:
        """The columns of a sources row these settings fill: ``publishing_mode`` and the
        ``settings`` JSON."""
        values = self.to_json()
        return {"publishing_mode": values.pop("publishing_mode", None), "settings": values}


class _Invalid(ValueError):
    """A value one field cannot take; the message says why."""


def _ignored(source_url: str, why: str) -> None:
    log.warning("source setting ignored: %s", why, extra={"source_url": source_url})


def _check_bounds(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise SourceError("sources: poll_min_interval is longer than poll_max_interval")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _mode(value: Any) -> str | None:
    if _empty(value):
        return None
    if value not in PUBLISHING_MODES:
        raise _Invalid("must be full or excerpt")
    return str(value)


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {value!r:.40}")
    return value


def _poll_seconds(value: Any) -> int | None:
    if _empty(value):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    low, high = POLL_SECONDS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Invalid(f"must be {low}-{high} seconds")
    return value


def _seconds(value: Any) -> int | None:
    if value is None:
        return None
    # Recorded from feeds (a ttl can be absurd): any finite count is taken, never refused.
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0 \
            or (isinstance(value, float) and not math.isfinite(value)):
        raise _Invalid(f"must be a number of seconds, got {value!r:.40}")
    return round(value)


def _items(value: Any, split: bool) -> list[str]:
    if _empty(value):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _Invalid("must be text or a list of text")
    if split:
        value = [part for v in value for part in v.split(",")]
    return [v.strip() for v in value if v.strip()]


def _selectors(value: Any) -> tuple[str, ...]:
    selectors = _items(value, split=True)
    for selector in selectors:
        _check_selector(selector)
    return tuple(selectors)


@functools.lru_cache(maxsize=512)
def _check_selector(selector: str) -> None:
    # The test extract.rules applies before it uses a selector: cssselect's HTML
    # dialect, compiled to XPath by lxml. Imported here, not at start-up.
    from cssselect import SelectorError
    from lxml import etree
    from lxml.cssselect import CSSSelector

    if len(selector) > _MAX_SELECTOR:
        raise _Invalid(f"bad selector {selector[:40]!r}...: longer than {_MAX_SELECTOR}")
    try:
        CSSSelector(selector, translator="html")
    except (SelectorError, etree.XPathError, ValueError) as error:
        raise _Invalid(f"bad selector {selector!r}: {error}") from None


def _categories(value: Any) -> tuple[str, ...]:
    # A list is taken as it is (an OPML folder may hold a comma); form text is split.
    return tuple(_items(value, split=isinstance(value, str)))


def _address(value: Any) -> str | None:
    if _empty(value):
        return None
    if not isinstance(value, str):
        raise _Invalid(f"must be an address, got {value!r:.40}")
    return value


def _rotation(value: Any) -> GuidRotation | None:
    if value is None or isinstance(value, GuidRotation):
        return value
    if isinstance(value, Mapping):
        count, last_seen = value.get("count"), value.get("last_seen")
        if isinstance(count, int) and not isinstance(count, bool) and isinstance(last_seen, str):
            return GuidRotation(count, last_seen)
    raise _Invalid("must be {count, last_seen}")


_SOURCE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "publishing_mode": _mode, "feed_only": _flag,
    "extract_selector": _selectors, "extract_remove": _selectors,
    "poll_min_interval": _poll_seconds, "poll_max_interval": _poll_seconds,
    "categories": _categories, "poll_interval": _seconds, "feed_hint_seconds": _seconds,
    "hub": _address, "topic": _address, "guid_rotation": _rotation,
}
"""Each field's parser: a JSON value (or form text) in, the typed value out, or _Invalid.
Each is idempotent on its own output, so ``__post_init__`` can run them on any value."""

_SOURCE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(SourceSettings)
                    if f.name in _SOURCE_FIELDS}
