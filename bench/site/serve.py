"""The site as the benchmark serves it: the web application plus a bare "hello" route,
one process."""

from __future__ import annotations

import sys

import uvicorn
from fastapi.responses import PlainTextResponse

from broadsheet.settings import load_settings
from broadsheet.store import open_database
from broadsheet.web import make_web_app


def main(database_url: str, port: int) -> None:
    settings = load_settings({"database_url": database_url, "home": "/tmp"}, environ={})
    app = make_web_app(open_database(database_url), settings)

    @app.get("/hello")
    def hello() -> PlainTextResponse:
        return PlainTextResponse("hello")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
