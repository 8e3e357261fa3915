"""The header's weather: current conditions from an Open-Meteo-compatible API.

Pages never wait for it. ``Weather.current()`` answers from memory at once and, when
the cached value is older than the refresh interval, starts one background fetch.
A value older than ``MAX_AGE`` (or none, or a broken answer) shows nothing: better no
weather than wrong weather. The request goes through the fetch stage's guarded fetcher,
like every outbound request: the address guard, each redirect re-checked, size and time
limits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from broadsheet.fetch import FetchConfig, fetch_url

log = logging.getLogger(__name__)

REFRESH = dt.timedelta(minutes=30)
RETRY = dt.timedelta(minutes=5)
"""After a failed fetch, wait this long before trying again."""
MAX_AGE = dt.timedelta(hours=3)
TIMEOUT = 10.0
MAX_BODY = 1_000_000

CONDITIONS: dict[int, str] = {
    0: "clear", 1: "mainly clear", 2: "partly cloudy", 3: "overcast", 45: "fog",
    48: "freezing fog", 51: "light drizzle", 53: "drizzle", 55: "heavy drizzle",
    56: "freezing drizzle", 57: "freezing drizzle", 61: "light rain", 63: "rain",
    65: "heavy rain", 66: "freezing rain", 67: "freezing rain", 71: "light snow", 73: "snow",
    75: "heavy snow", 77: "snow grains", 80: "showers", 81: "showers", 82: "heavy showers",
    85: "snow showers", 86: "snow showers", 95: "thunderstorm", 96: "thunderstorm, hail",
    99: "thunderstorm, hail",
}  # fmt: skip
"""WMO weather interpretation codes, as Open-Meteo documents them, in a few words."""


@dataclass(frozen=True)
class Conditions:
    """What the header shows: the place, the temperature with its unit, a condition."""

    place: str
    temperature: float
    unit: str
    condition: str
    observed: dt.datetime

    @property
    def text(self) -> str:
        return f"{round(self.temperature)}{self.unit}, {self.condition}"


def describe(code: int) -> str:
    """A short condition for a WMO code; unknown codes get nothing more precise."""
    return CONDITIONS.get(code, "")


def parse_forecast(place: str, data: Any, fetched: dt.datetime) -> Conditions:
    """Read the ``current`` block; raise ValueError on anything malformed."""
    current = data["current"]
    temperature = float(current["temperature_2m"])
    unit = str((data.get("current_units") or {}).get("temperature_2m") or "°C")
    code = int(current["weather_code"])
    observed = fetched
    if current.get("time"):
        stamp = dt.datetime.fromisoformat(str(current["time"]))
        if stamp.tzinfo is None:
            offset = int(data.get("utc_offset_seconds") or 0)
            stamp = stamp.replace(tzinfo=dt.timezone(dt.timedelta(seconds=offset)))
        observed = min(stamp, fetched)
    return Conditions(place, temperature, unit, describe(code), observed)


class Weather:
    """Cached current weather for one place, refreshed in the background."""

    def __init__(self, base_url: str, place: str, latitude: float, longitude: float,
                 *, clock: Callable[[], dt.datetime] | None = None,
                 fetch_config: FetchConfig | None = None):
        self.enabled = bool(base_url and place)
        self.place = place
        self.url = base_url.rstrip("/") + "/v1/forecast?" + urlencode({
            "latitude": latitude, "longitude": longitude,
            "current": "temperature_2m,weather_code"})
        # The site's fetch settings (guard, user agent), with a forecast's own small limits.
        self.fetch_config = dataclasses.replace(fetch_config or FetchConfig(),
                                                total_timeout=TIMEOUT, max_body_bytes=MAX_BODY)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._value: Conditions | None = None
        self._next_try: dt.datetime | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def current(self) -> Conditions | None:
        """The weather to show now, or None; may start a background refresh."""
        if not self.enabled:
            return None
        now = self.clock()
        self._maybe_refresh(now)
        value = self._value
        if value is None or now - value.observed > MAX_AGE:
            return None
        return value

    def _maybe_refresh(self, now: dt.datetime) -> None:
        with self._lock:
            if self._next_try is not None and now < self._next_try:
                return
            if self._thread is not None and self._thread.is_alive():
                return
            self._next_try = now + RETRY
            self._thread = threading.Thread(target=self.refresh, name="weather", daemon=True)
            self._thread.start()

    def refresh(self) -> bool:
        """Fetch now (in the calling thread); keep the old value if this fails."""
        try:
            result = fetch_url(self.url, self.fetch_config, accept="application/json")
            value = parse_forecast(self.place, json.loads(result.body), self.clock())
        except Exception as error:  # boundary: any failure means "no new weather"
            log.warning("weather: cannot read %s: %s", self.url, error)
            return False
        with self._lock:
            self._value = value
            self._next_try = self.clock() + REFRESH
        return True

    def wait(self, timeout: float = 5.0) -> None:
        """Wait for a background refresh to finish (for tests and start-up)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
