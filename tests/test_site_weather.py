"""The header's weather against a real loopback server answering like Open-Meteo."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from broadsheet.site.app import make_app
from broadsheet.site.weather import Weather, describe
from tests.browser.live import LiveServer, get
from tests.servers import Reply

NOW = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)


def forecast(when: dt.datetime, temperature: float = 17.6, code: int = 2) -> bytes:
    return json.dumps({
        "latitude": 38.72, "longitude": -9.14, "utc_offset_seconds": 0, "timezone": "GMT",
        "current_units": {"time": "iso8601", "interval": "seconds", "temperature_2m": "°C",
                          "weather_code": "wmo code"},
        "current": {"time": when.strftime("%Y-%m-%dT%H:%M"), "interval": 900,
                    "temperature_2m": temperature, "weather_code": code},
    }).encode()


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def make_weather(server, clock) -> Weather:
    return Weather(server.base_url, "Lisbon", 38.72, -9.14, clock=clock)


def test_first_call_returns_at_once_then_shows_the_weather(server):
    server.route("/v1/forecast", Reply(200, forecast(NOW), {"Content-Type": "application/json"},
                                       delay=0.5))
    weather = make_weather(server, Clock(NOW))
    started = time.monotonic()
    assert weather.current() is None
    assert time.monotonic() - started < 0.2
    weather.wait()
    shown = weather.current()
    assert shown is not None and shown.text == "18°C, partly cloudy" and shown.place == "Lisbon"
    query = server.requests[0].path
    assert "latitude=38.72" in query and "longitude=-9.14" in query
    assert "current=temperature_2m%2Cweather_code" in query


def test_cached_for_thirty_minutes_then_refreshed(server):
    server.route("/v1/forecast", lambda r: Reply(200, forecast(clock.now)))
    clock = Clock(NOW)
    weather = make_weather(server, clock)
    weather.current()
    weather.wait()
    for minutes in (1, 10, 29):
        clock.now = NOW + dt.timedelta(minutes=minutes)
        assert weather.current() is not None
    assert server.hits["/v1/forecast"] == 1
    clock.now = NOW + dt.timedelta(minutes=31)
    weather.current()
    weather.wait()
    assert server.hits["/v1/forecast"] == 2


def test_hidden_when_older_than_three_hours_or_broken(server):
    server.route("/v1/forecast", Reply(200, forecast(NOW)))
    clock = Clock(NOW)
    weather = make_weather(server, clock)
    weather.current()
    weather.wait()
    server.route("/v1/forecast", Reply(503, b"down"))
    clock.now = NOW + dt.timedelta(hours=2)
    assert weather.current() is not None  # stale-but-recent is still shown while retrying
    weather.wait()
    clock.now = NOW + dt.timedelta(hours=3, minutes=1)
    assert weather.current() is None


def test_old_observation_is_not_shown(server):
    server.route("/v1/forecast", Reply(200, forecast(NOW - dt.timedelta(hours=4))))
    weather = make_weather(server, Clock(NOW))
    weather.current()
    weather.wait()
    assert weather.current() is None


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"current": {"temperature_2m": "x"}}',
                                  b"[]"])
def test_malformed_answers_show_nothing(server, body):
    server.route("/v1/forecast", Reply(200, body))
    weather = make_weather(server, Clock(NOW))
    weather.current()
    weather.wait()
    assert weather.current() is None


def test_no_place_no_request(server):
    weather = Weather(server.base_url, "", 1.0, 2.0)
    assert weather.current() is None
    assert server.hits["/v1/forecast"] == 0


def test_codes_have_short_words():
    assert describe(0) == "clear" and describe(63) == "rain" and describe(95) == "thunderstorm"
    assert describe(12345) == ""


def test_header_shows_weather_and_a_slow_api_never_delays_a_page(db, settings, server):
    now = dt.datetime.now(dt.UTC)
    server.route("/v1/forecast", Reply(200, forecast(now, 21.2, 61), delay=1.5))
    configured = settings.replace(weather_url=server.base_url, weather_place="Lisbon",
                                  weather_latitude=38.72, weather_longitude=-9.14)
    app = make_app(db, configured)
    live = LiveServer(app).start()
    try:
        started = time.monotonic()
        first = get(live.base_url + "/sources/1")
        assert time.monotonic() - started < 1.0 and "Lisbon" not in first.text
        app.state.site.weather.wait()
        page = get(live.base_url + "/search").text
        assert '<span class="place">Lisbon</span> 21°C, light rain' in page
    finally:
        live.stop()
