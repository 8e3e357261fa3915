"""The site as the benchmark serves it: make_app plus a bare "hello" route, one process."""

from __future__ import annotations

import sys

import uvicorn
from fastapi.responses import PlainTextResponse

from broadsheet.settings import load_settings
from broadsheet.site.app import make_app
from broadsheet.store import open_database


def main(database_url: str, port: int) -> None:
    settings = load_settings({"database_url": database_url, "home": "/tmp"}, environ={})
    app = make_app(open_database(database_url), settings)

    @app.get("/hello")
    def hello() -> PlainTextResponse:
        return PlainTextResponse("hello")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
