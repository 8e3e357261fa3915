"""One typed table of settings, and where each value came from.

Precedence, lowest first: built-in default < TOML file < environment
(``BROADSHEET_<NAME>``) < command-line flags. Nothing needs configuring to start.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadsheet.errors import ConfigError

ENV_PREFIX = "BROADSHEET_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default and what it is for."""

    name: str
    kind: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("home", str, "data", "Data folder: the SQLite database and other state live here."),
    Setting("config", str, "", "TOML file of settings (default: <home>/broadsheet.toml if present)."),
    Setting("database_url", str, "", "SQLAlchemy URL; default sqlite:///<home>/broadsheet.db."),
    Setting("host", str, "127.0.0.1", "Address the web server listens on."),
    Setting("port", int, 8000, "Port the web server listens on."),
    Setting("newsroom_port", int, 8001, "Port of the offline demo newsroom that "
            "`broadsheet demo` serves its feeds from (on 127.0.0.1)."),
    Setting("base_url", str, "", "Public address of the site, for links in feeds and sitemaps."),
    Setting("site_title", str, "Broadsheet", "The site's name, shown in the header."),
    Setting("timezone", str, "UTC", "Time zone (IANA name) of the site's dates: lists, story "
            "timelines and day pages use it; an article's own page shows its outlet's offset."),
    Setting("user_agent", str, "", "User-Agent sent with every request (default names the software)."),
    Setting("allowed_networks", str, "", "Comma-separated CIDR blocks that may be fetched despite "
            "being private or loopback; nothing else non-public is reachable."),
    Setting("connect_timeout", float, 10.0, "Seconds to wait for a connection."),
    Setting("fetch_timeout", float, 30.0, "Seconds a whole request may take."),
    Setting("max_body_bytes", int, 15 * 1024 * 1024, "Cap on a decompressed response body."),
    Setting("max_redirects", int, 10, "Most redirects followed for one request."),
    Setting("concurrency", int, 16, "Requests in flight at once, all hosts together."),
    Setting("per_host_concurrency", int, 2, "Requests in flight at once to one host."),
    Setting("poll_min_interval", int, 300, "Shortest time between two polls of a source, seconds."),
    Setting("poll_max_interval", int, 86400, "Longest time between two polls of a source, seconds."),
    Setting("fetch_pages", bool, True, "Fetch each item's page to extract the full article."),
    Setting("publishing_mode", str, "full", "'full' or 'excerpt': how much of an article the site shows."),
    Setting("excerpt_words", int, 60, "Words shown in excerpt mode."),
    Setting("weather_url", str, "", "Base address of an Open-Meteo-compatible weather API."),
    Setting("weather_place", str, "", "Name of the place whose weather the header shows."),
    Setting("weather_latitude", float, 0.0, "Latitude of the weather place."),
    Setting("weather_longitude", float, 0.0, "Longitude of the weather place."),
    Setting("metrics_token", str, "", "Bearer token that may read /metrics."),
    Setting("metrics_networks", str, "127.0.0.0/8,::1/128", "CIDR blocks that may read /metrics "
            "without a token; requests carrying forwarded headers never qualify."),
    Setting("trusted_proxies", str, "", "Comma-separated addresses or CIDR blocks of reverse "
            "proxies whose X-Forwarded-For/-Proto are believed; none by default."),
    Setting("password_hash_concurrency", int, 2, "Password checks (Argon2id, ~64 MiB each) "
            "running at once in the web server; others wait their turn."),
    Setting("max_request_body_bytes", int, 64 * 1024, "Largest request body accepted by "
            "logins, forms and APIs; bigger ones get 413 before they are read."),
    Setting("max_upload_bytes", int, 10 * 1024 * 1024, "Largest request body of an OPML upload."),
    Setting("header_timeout", float, 10.0, "Seconds a client may take to send a request's "
            "headers before the connection is closed."),
    Setting("body_timeout", float, 30.0, "Seconds a client may take to send a request's body "
            "before it is refused with 408."),
    Setting("keep_alive_timeout", float, 5.0, "Seconds an idle keep-alive connection stays open."),
    Setting("log_level", str, "WARNING", "Logging level: DEBUG, INFO, WARNING, ERROR."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


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


class Settings:
    """Resolved settings: attribute access to values, and ``origin(name)`` for their source."""

    def __init__(self, values: dict[str, Any], origins: dict[str, str]):
        self._values = values
        self._origins = origins

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def origin(self, name: str) -> str:
        """Say where a value came from: default, a file path, env or flag."""
        return self._origins[name]

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some values set as if by flags."""
        values = dict(self._values)
        origins = dict(self._origins)
        for name, value in changes.items():
            values[name] = _convert(_BY_NAME[name], value, "flag")
            origins[name] = "flag"
        return Settings(values, origins)

    def rows(self) -> list[tuple[str, Any, str]]:
        """Every setting as (name, value, origin), in table order."""
        return [(s.name, self._values[s.name], self._origins[s.name]) for s in SETTINGS]

    @property
    def home_path(self) -> Path:
        return Path(self.home)

    @property
    def effective_user_agent(self) -> str:
        from broadsheet import __version__

        return self.user_agent or f"Broadsheet/{__version__} (+https://github.com/broadsheet)"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"settings: cannot read {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"settings: {path} is not valid TOML: {error}") from error
    table = data.get("broadsheet", data)
    unknown = sorted(set(table) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"settings: unknown setting(s) in {path}: {', '.join(unknown)}")
    return table


def load_settings(
    flags: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Resolve every setting from defaults, the TOML file, the environment and flags."""
    env = os.environ if environ is None else environ
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    values = {s.name: s.default for s in SETTINGS}
    origins = {s.name: "default" for s in SETTINGS}

    def layer(source: dict[str, Any], origin: str) -> None:
        for name, raw in source.items():
            values[name] = _convert(_BY_NAME[name], raw, origin)
            origins[name] = origin

    env_values = {s.name: env[ENV_PREFIX + s.name.upper()] for s in SETTINGS
                  if ENV_PREFIX + s.name.upper() in env}
    home = flags.get("home") or env_values.get("home") or values["home"]
    config = flags.get("config") or env_values.get("config")
    config_path = Path(config) if config else Path(home) / "broadsheet.toml"
    if config or config_path.exists():
        layer(_read_toml(config_path), str(config_path))
    layer(env_values, "env")
    layer(flags, "flag")
    if not values["database_url"]:
        values["database_url"] = f"sqlite:///{Path(values['home']) / 'broadsheet.db'}"
        origins["database_url"] = "default"
    if values["publishing_mode"] not in ("full", "excerpt"):
        raise ConfigError("settings: publishing_mode must be 'full' or 'excerpt'")
    return Settings(values, origins)
