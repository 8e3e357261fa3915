"""The documentation is kept honest by tests: every setting and command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from broadsheet.cli import cli
from broadsheet.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_settings_doc():
    text = (ROOT / "docs" / "settings.md").read_text()
    missing = [s.name for s in SETTINGS
               if f"`{s.name}`" not in text or f"BROADSHEET_{s.name.upper()}" not in text]
    assert not missing, f"docs/settings.md lacks {missing}"


def test_every_command_is_in_the_readme():
    text = (ROOT / "README.md").read_text()
    missing = []
    for name, command in cli.commands.items():
        if f"broadsheet {name}" not in text:
            missing.append(name)
        if isinstance(command, click.Group):
            missing += [f"{name} {sub}" for sub in command.commands
                        if f"broadsheet {name} {sub}" not in text]
    assert not missing, f"README.md does not mention: {missing}"


def test_readme_opens_with_the_two_commands():
    first = (ROOT / "README.md").read_text().split("```")[1]
    assert "make demo" in first and "make test" in first
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_architecture_names_every_stage():
    text = (ROOT / "docs" / "architecture.md").read_text()
    stages = [p.name for p in (ROOT / "src" / "broadsheet").iterdir()
              if p.is_dir() and (p / "__init__.py").exists()]
    missing = [s for s in stages if f"`{s}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe {missing}"



def _reader_app_rows() -> dict[str, list[str]]:
    section = (ROOT / "README.md").read_text().split("## Reader apps", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines()
            if line.startswith("| ") and "`/" in line]
    return {row[1].strip(): [row[2], row[3]] for row in rows}


def test_the_reader_app_table_is_true(tmp_path):
    """The README's reader-app table names served addresses and the password each takes."""
    import hashlib

    import requests

    from broadsheet.store import open_database
    from tests.conftest import make_settings
    from tests.webserver import make_user, serve_app

    rows = _reader_app_rows()
    assert set(rows) == {"Miniflux", "Google Reader", "Fever"}
    assert "account password" in rows["Miniflux"][1]
    for api in ("Google Reader", "Fever"):
        assert "API password" in rows[api][1] and "account password" not in rows[api][1]
    settings = make_settings(tmp_path)
    db = open_database(settings.database_url, upgrade=True)
    make_user(db, "rita", "reader", password="account secret", api_password="api secret")
    server = serve_app(db, settings)
    examples = {"/v1/...": "/v1/me", "/reader/api/0/...": "/reader/api/0/user-info"}
    try:
        for endpoints, _ in rows.values():
            for path in endpoints.split("`")[1::2]:
                answer = requests.get(server.base_url + examples.get(path, path), timeout=10)
                assert answer.status_code != 404, f"README names {path}, which nothing serves"
        url = server.base_url
        assert requests.get(f"{url}/v1/me", auth=("rita", "account secret"),
                            timeout=10).status_code == 200
        login = f"{url}/accounts/ClientLogin"
        assert requests.post(login, data={"Email": "rita", "Passwd": "api secret"},
                             timeout=10).status_code == 200
        assert requests.post(login, data={"Email": "rita", "Passwd": "account secret"},
                             timeout=10).status_code == 401
        for password, auth in (("api secret", 1), ("account secret", 0)):
            key = hashlib.md5(f"rita:{password}".encode()).hexdigest()
            fever = requests.post(f"{url}/fever/?api", data={"api_key": key}, timeout=10)
            assert fever.json()["auth"] == auth
    finally:
        server.stop()
        db.close()
