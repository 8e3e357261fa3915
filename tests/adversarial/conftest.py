"""Fixtures of the hostile world: the canary, misbehaving servers, the CLI as a process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adversarial.harness import Canary, HostileServer


@pytest.fixture
def canary() -> Iterator[Canary]:
    """Listeners on 127.0.0.2 and [::1], neither of which the tests allow."""
    listener = Canary(hosts=("127.0.0.2", "::1")).start()
    yield listener
    listener.stop()


@pytest.fixture
def wide_canary() -> Iterator[Canary]:
    """Listeners on 127.0.0.1, 127.0.0.2 and [::1] on one port (for tests allowing nothing)."""
    listener = Canary(hosts=("127.0.0.1", "127.0.0.2", "::1")).start()
    yield listener
    listener.stop()


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    yield server
    server.stop()


def cli_env(home: Path, **env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update({"BROADSHEET_HOME": str(home),
                        "BROADSHEET_ALLOWED_NETWORKS": "127.0.0.1/32"})
    environment.update(env)
    return environment


def run_cli(home: Path, *args: str, check: bool = True, timeout: float = 120,
            **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m broadsheet`` as a user would, in a temporary home."""
    result = subprocess.run([sys.executable, "-m", "broadsheet", *args], env=cli_env(home, **env),
                            capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def spawn_cli(home: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "broadsheet", *args], env=cli_env(home, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file, on a connection of our own."""
    with sqlite3.connect(path, timeout=30) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
