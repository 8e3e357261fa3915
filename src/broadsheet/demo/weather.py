"""Invented weather, shaped like Open-Meteo's ``/v1/forecast`` "current" block.

Values are a deterministic function of place and hour, so the page widget
("Today 12°C, cloudy") and the API agree for the same outlet and time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

WEATHER_CODES: dict[int, str] = {
    0: "clear sky", 1: "mainly clear", 2: "partly cloudy", 3: "cloudy", 45: "fog",
    51: "light drizzle", 61: "light rain", 63: "rain", 71: "light snow", 80: "showers",
    95: "thunderstorm",
}  # fmt: skip


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts``."""
    digest = hashlib.sha1(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def outlet_location(outlet_slug: str) -> tuple[float, float]:
    """Return the invented latitude and longitude of an outlet's home town."""
    return (round(30 + 30 * _unit("lat", outlet_slug), 2),
            round(-10 + 40 * _unit("lon", outlet_slug), 2))


def current_weather(latitude: float, longitude: float, when: dt.datetime) -> tuple[float, int]:
    """Return (temperature in °C, WMO weather code) for a place at the hour of ``when``."""
    hour = when.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    key = (round(latitude, 2), round(longitude, 2), hour.isoformat())
    temperature = 24 - 0.3 * abs(latitude) + 10 * (_unit("t", *key) - 0.5)
    codes = sorted(WEATHER_CODES)
    code = codes[int(_unit("c", *key) * len(codes))]
    return round(temperature, 1), code


def describe_weather(code: int) -> str:
    """Return the words for a WMO weather code ('cloudy', 'light rain'...)."""
    return WEATHER_CODES.get(code, "unsettled")


def forecast_response(
    latitude: float, longitude: float, current: list[str], now: dt.datetime
) -> dict[str, Any]:
    """Return the JSON body Open-Meteo's forecast endpoint would give for ``current=...``."""
    temperature, code = current_weather(latitude, longitude, now)
    time = now.astimezone(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
    block: dict[str, Any] = {"time": time.isoformat(timespec="minutes"), "interval": 900}
    units: dict[str, str] = {"time": "iso8601", "interval": "seconds"}
    if "temperature_2m" in current:
        block["temperature_2m"] = temperature
        units["temperature_2m"] = "°C"
    if "weather_code" in current:
        block["weather_code"] = code
        units["weather_code"] = "wmo code"
    return {
        "latitude": latitude,
        "longitude": longitude,
        "generationtime_ms": 0.05,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 12.0,
        "current_units": units,
        "current": block,
    }
