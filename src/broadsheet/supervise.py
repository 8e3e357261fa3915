"""Process supervision: the polling worker that ``run`` and ``demo`` start beside the site.

Embedded mode runs ``broadsheet worker``, the same worker loop as a cluster's, in a child
process, so parsing and extraction never hold up a page. The child gets every setting the
parent resolved (flags included) through the environment, runs at a lower CPU priority
than the web server, and is stopped when the parent exits.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys

from broadsheet.settings import Settings

STOP_TIMEOUT = 20.0
"""Seconds the worker gets to finish its round after SIGTERM before it is killed."""


def worker_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with every resolved setting as ``BROADSHEET_<NAME>``."""
    environment = dict(os.environ)
    for name, value, _origin in settings.rows():
        environment[f"BROADSHEET_{name.upper()}"] = str(value)
    environment.pop("BROADSHEET_CONFIG", None)  # already folded into the values above
    return environment


def start_worker_process(settings: Settings) -> subprocess.Popen[bytes]:
    """Start ``broadsheet worker`` in a child process that stops when this process exits."""
    # Readers come first: the poller runs at a lower CPU priority than the web server.
    child = subprocess.Popen([sys.executable, "-m", "broadsheet", "worker"],
                             env=worker_environment(settings),
                             preexec_fn=lambda: os.nice(10))
    atexit.register(stop_process, child)
    return child


def stop_process(child: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it is still there after
    ``timeout`` seconds; nothing happens if it has already ended."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
