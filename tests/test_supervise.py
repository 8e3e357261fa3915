"""Process supervision: the worker child ``run`` and ``demo`` start beside the web server."""

from __future__ import annotations

import subprocess
import sys

from broadsheet.supervise import stop_process, worker_environment
from tests.conftest import make_settings


def test_the_worker_gets_every_resolved_setting_but_not_the_settings_file(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("BROADSHEET_CONFIG", str(tmp_path / "gone.toml"))
    settings = make_settings(tmp_path, port=8123)
    environment = worker_environment(settings)
    assert environment["BROADSHEET_HOME"] == str(tmp_path)
    assert environment["BROADSHEET_PORT"] == "8123"
    assert environment["BROADSHEET_ALLOWED_NETWORKS"] == "127.0.0.1/32"
    assert "BROADSHEET_CONFIG" not in environment


def test_stop_process_kills_a_child_that_ignores_sigterm():
    child = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                              "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                              "print('ready', flush=True); time.sleep(60)"],
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    stop_process(child, timeout=0.5)
    assert child.wait(timeout=5) == -9
    child.stdout.close()
    stop_process(child)  # an ended child: nothing to do
