"""The web package's one way of answering errors: the dialect is chosen by the path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from broadsheet.store import open_database
from broadsheet.store.bounds import OutOfRangeError
from broadsheet.web import make_web_app
from broadsheet.web.errors import AnsweringRoute, answer_error
from broadsheet.web.routes import routes


@pytest.fixture
def app(settings) -> Iterator[Any]:
    db = open_database(settings.database_url, upgrade=True)
    yield make_web_app(db, settings)
    db.close()


def _answer(app: Any, path: str, error: Exception) -> Response:
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [], "app": app, "scheme": "http",
             "server": ("testserver", 80), "root_path": ""}
    return answer_error(Request(scope), error)


def test_the_site_answers_with_its_pages_and_the_json_api_with_its_shape(app):
    missing = _answer(app, "/nowhere", StarletteHTTPException(404))
    assert missing.status_code == 404 and b"Page not found" in missing.body
    assert missing.headers["content-type"].startswith("text/html")
    out_of_range = _answer(app, "/days/9999-01-01", OutOfRangeError("day: out of range"))
    assert out_of_range.status_code == 400 and b"day: out of range" in out_of_range.body
    api = _answer(app, "/api/v1/nowhere", StarletteHTTPException(404))
    assert api.status_code == 404
    assert json.loads(api.body) == {"error": {"code": "not_found", "message": "Not Found"}}


def test_a_bug_is_a_logged_500_page_without_its_details(app, caplog):
    failed = _answer(app, "/sources/1", RuntimeError("secret detail"))
    assert failed.status_code == 500
    assert b"could not be made" in failed.body and b"secret detail" not in failed.body
    assert "site: error on /sources/1" in caplog.text


def test_each_reader_protocol_and_the_admin_area_answer_in_their_own_dialect(app):
    fever = _answer(app, "/api/fever.php", StarletteHTTPException(404))
    assert json.loads(fever.body) == {"api_version": 3, "auth": 0, "error": "Not Found"}
    greader = _answer(app, "/reader/api/0/nowhere", StarletteHTTPException(404))
    assert greader.status_code == 404 and greader.body == b"Error=Not Found\n"
    miniflux = _answer(app, "/v1/nowhere", StarletteHTTPException(404))
    assert json.loads(miniflux.body)["error_message"] == "Not Found"
    other_api = _answer(app, "/api/nowhere", StarletteHTTPException(404))
    assert json.loads(other_api.body)["error"]["code"] == "not_found"
    from broadsheet.admin.session import LoginRequired

    login = _answer(app, "/admin/sources", LoginRequired())
    assert login.status_code == 303 and login.headers["location"] == "/admin/login"
    admin_bug = _answer(app, "/admin/sources", RuntimeError("secret detail"))
    assert admin_bug.status_code == 500 and b"secret detail" not in admin_bug.body


def test_every_route_of_the_table_answers_its_own_errors(app, settings):
    table = routes(settings)
    paths = {path for _method, path, _handler, _options in table}
    mounted = [r for r in app.router.routes if getattr(r, "path", None) in paths]
    assert len(mounted) == len(table)
    assert all(isinstance(route, AnsweringRoute) for route in mounted)
