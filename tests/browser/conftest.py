"""Browser fixtures: Debian's chromium driven by Playwright, axe-core from npm, a live site.

Install (once): ``apt-get install -y chromium`` and ``npm ci --prefix tests/browser``.
Without them these tests skip locally and fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.store import open_database
from broadsheet.web import make_web_app
from tests.browser.live import NOW, LiveServer, seed
from tests.conftest import make_settings
from tests.servers import Reply, ScriptedServer

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = HERE.parents[1] / "test-output" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _missing(problem: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI must run the browser tests)")
    pytest.skip(problem)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG, so pages have a real lead image to load."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("chromium is not installed: apt-get install -y chromium")
    return str(path)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core missing at {AXE}: npm ci --prefix tests/browser")
    return AXE.read_text()


@pytest.fixture
def browser(chromium_path: str) -> Iterator[object]:
    """A fresh Chromium per test: Playwright's sync API runs an event loop in this thread
    while it lives, which would break ``asyncio.run`` in other tests of the same worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The site on SQLite with seed articles, a loopback image host and weather API."""
    import json

    assets = ScriptedServer().start()
    assets.route("/harbour.png", Reply(200, png(64, 36, (40, 90, 140)),
                                       {"Content-Type": "image/png"}))
    assets.route("/v1/forecast", Reply(200, json.dumps({
        "current_units": {"temperature_2m": "°C"},
        "current": {"time": NOW.strftime("%Y-%m-%dT%H:%M"), "temperature_2m": 17.4,
                    "weather_code": 3}}).encode(), {"Content-Type": "application/json"}))
    home = tmp_path_factory.mktemp("browser-site")
    settings = make_settings(home, weather_url=assets.base_url, weather_place="Lisbon",
                             weather_latitude=38.7, weather_longitude=-9.1)
    db = open_database(settings.database_url, upgrade=True)
    ids = seed(db, image_url=assets.url("/harbour.png"))
    app = make_web_app(db, settings)
    app.state.site.weather.wait()
    server = LiveServer(app).start()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    yield {"base": server.base_url, "ids": ids, "output": OUTPUT}
    server.stop()
    db.close()
    assets.stop()
