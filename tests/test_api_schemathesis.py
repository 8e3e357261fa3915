"""Schemathesis against the live JSON API: no 5xx, and every response conforms to the schema.

``positive_data_acceptance`` is left out on purpose: an opaque cursor or a search of
punctuation only can be schema-valid yet meaningless, and those answer 400 by design.
Subscribing is left out too: it would make the fuzzer fetch random addresses.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from broadsheet.store.sources import add_source
from tests.webserver import add_articles, make_token, make_user, serve_app

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance,negative_data_rejection,"
          "unsupported_method,missing_required_header,use_after_free")


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_schemathesis_finds_nothing(db, settings):
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis is not installed")
    source = add_source(db, "https://news.test/feed", "News")
    add_articles(db, source.id, 5)
    token = make_token(db, make_user(db, "ed", "editor"))
    server = serve_app(db, settings)
    try:
        result = subprocess.run(
            [st, "run", server.base_url + "/api/openapi.json", "--url", server.base_url,
             "--checks", CHECKS, "--max-examples", "30", "--exclude-method", "POST",
             "-H", f"Authorization: Bearer {token}", "--no-color"],
            capture_output=True, text=True, timeout=600)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
