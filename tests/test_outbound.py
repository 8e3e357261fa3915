"""Every outbound connection goes through the one guarded fetcher.

The source tree is read with ``ast`` and every use of a network client is listed: the
standard library's ``urllib.request``, ``http.client``, ``socket`` connections,
``ftplib``/``smtplib``, and ``aiohttp``, ``httpx``, ``requests``, ``urllib3``. Only the
fetch stage's client (whose resolver and redirect loop apply the address guard) may use
them; anything else must call ``broadsheet.fetch``. A new module that dials out on its
own fails here with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "broadsheet"

GUARDED = {"fetch/client.py"}
"""Modules allowed to open outbound connections: the guarded fetcher."""

SERVERS = {"demo/server.py", "server.py"}
"""Modules that only *listen* (the offline demo newsroom, an ``aiohttp.web`` server)."""

CLIENT_MODULES = ("urllib.request", "http.client", "aiohttp", "httpx", "requests", "urllib3",
                  "ftplib", "smtplib", "telnetlib", "xmlrpc.client", "websockets")
SOCKET_CALLS = {"create_connection", "socket", "socketpair", "fromfd", "getaddrinfo"}


def _openers(path: Path) -> list[str]:
    """Each place in a file that imports a network client or dials a socket."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    socket_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(CLIENT_MODULES):
                    found.append(f"{node.lineno}: import {alias.name}")
                if alias.name == "socket":
                    socket_names.add(alias.asname or "socket")
                if alias.name == "urllib":
                    found.append(f"{node.lineno}: import urllib")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            server_only = node.module == "aiohttp" and all(a.name == "web" for a in node.names)
            if node.module.startswith(CLIENT_MODULES) and not server_only \
                    and not node.module.startswith("aiohttp.web"):
                found.append(f"{node.lineno}: from {node.module} import ...")
            if node.module == "urllib" and any(a.name == "request" for a in node.names):
                found.append(f"{node.lineno}: from urllib import request")
            if node.module == "http" and any(a.name == "client" for a in node.names):
                found.append(f"{node.lineno}: from http import client")
            if node.module == "socket":
                found += [f"{node.lineno}: from socket import {a.name}" for a in node.names
                          if a.name in SOCKET_CALLS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (isinstance(target, ast.Name) and target.id in socket_names
                    and node.func.attr in SOCKET_CALLS):
                found.append(f"{node.lineno}: socket.{node.func.attr}(...)")
            if node.func.attr in ("open_connection", "create_connection") and isinstance(
                    target, ast.Name) and target.id in ("asyncio", "loop"):
                found.append(f"{node.lineno}: {target.id}.{node.func.attr}(...)")
    return found


def test_only_the_guarded_fetcher_opens_connections():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name in GUARDED:
            continue
        found = _openers(path)
        if name in SERVERS:
            found = [f for f in found if "socket." not in f]  # a listening socket is fine
        if found:
            offenders[name] = found
    assert not offenders, (
        "outbound connections outside the guarded fetcher (use broadsheet.fetch): "
        f"{offenders}")


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import urllib.request\nimport socket\nfrom http import client\nimport httpx\n"
        "import asyncio\nfrom aiohttp import web\n"
        "def f():\n    socket.create_connection(('x', 1))\n"
        "    asyncio.open_connection('x', 1)\n")
    found = _openers(sample)
    assert [line.split(":")[0] for line in found] == ["1", "3", "4", "8", "9"], found


def test_the_guarded_fetcher_is_the_one_that_uses_a_client():
    assert _openers(PACKAGE / "fetch" / "client.py"), "the scan no longer sees aiohttp"
