"""The header's weather against a real loopback server answering like Open-Meteo."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from broadsheet.fetch import AddressGuard, FetchConfig
from broadsheet.site.weather import Weather, describe
from broadsheet.web import make_web_app
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


LOOPBACK = FetchConfig(guard=AddressGuard.from_setting("127.0.0.1/32"))


def make_weather(server, clock, config: FetchConfig = LOOPBACK) -> Weather:
    return Weather(server.base_url, "Lisbon", 38.72, -9.14, clock=clock, fetch_config=config)


def test_the_forecast_goes_through_the_address_guard(server):
    server.route("/v1/forecast", Reply(200, forecast(NOW)))
    weather = make_weather(server, Clock(NOW), FetchConfig())  # loopback not allowed
    assert weather.refresh() is False and weather.current() is None
    assert server.hits["/v1/forecast"] == 0


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/",
                                    "http://10.0.0.1/v1/forecast", "http://[::1]:9/",
                                    "file:///etc/passwd"])
def test_a_redirect_to_a_disallowed_address_is_refused(server, target):
    server.route("/v1/forecast", Reply(302, b"", {"Location": target}))
    weather = make_weather(server, Clock(NOW))
    assert server.hits["/v1/forecast"] == 0
    assert weather.refresh() is False  # the redirect was served, its target refused
    assert server.hits["/v1/forecast"] == 1
    assert weather.current() is None


def test_a_redirect_to_a_reachable_but_disallowed_address_is_not_followed(server):
    # A second server on 127.0.0.2, outside the allowed 127.0.0.1/32, with a good answer.
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            body = forecast(NOW)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    inside = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    threading.Thread(target=inside.serve_forever, args=(0.05,), daemon=True).start()
    try:
        target = f"http://127.0.0.2:{inside.server_address[1]}/v1/forecast"
        server.route("/v1/forecast", Reply(302, b"", {"Location": target}))
        weather = make_weather(server, Clock(NOW))
        assert weather.refresh() is False
        assert hits == [] and server.hits["/v1/forecast"] == 1
    finally:
        inside.shutdown()
        inside.server_close()


def test_a_redirect_to_an_allowed_address_is_followed(server):
    server.route("/v1/forecast", Reply(302, b"", {"Location": "/moved?x=1"}))
    server.route("/moved", Reply(200, forecast(NOW), {"Content-Type": "application/json"}))
    weather = make_weather(server, Clock(NOW))
    assert weather.refresh() is True and weather.current().text == "18°C, partly cloudy"


def test_a_huge_forecast_is_not_read_in_full(server):
    server.route("/v1/forecast", Reply(200, b" " * 5_000_000 + forecast(NOW)))
    weather = make_weather(server, Clock(NOW))
    assert weather.refresh() is False


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
    assert parse_qs(urlsplit(query).query)["current"] == ["temperature_2m,weather_code"]


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
    app = make_web_app(db, configured)
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
