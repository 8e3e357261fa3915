"""docs/capacity.md's ingest figures come from bench/ingest's results file, and that file
was produced by the current ingest code (at or after the last change to update/)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ingest.json"


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench/ingest/run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_capacity_quotes_the_ingest_results_file():
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    block = _bench().docs_block(results)  # type: ignore[attr-defined]
    assert block in (ROOT / "docs" / "capacity.md").read_text(encoding="utf-8"), \
        "docs/capacity.md does not quote bench/results/ingest.json: rerun bench/ingest/run.py " \
        "--write-docs"


def test_ingest_results_ran_on_the_current_update_code():
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    assert not results["dirty"], "the benchmark ran on uncommitted changes to src/"
    last_change = _git("log", "-1", "--format=%H", "--", "src/broadsheet/update/").stdout.strip()
    if not last_change or _git("cat-file", "-e", results["commit"]).returncode != 0:
        pytest.skip("shallow clone: the commits to compare are not here")
    at_or_after = _git("merge-base", "--is-ancestor", last_change, results["commit"])
    assert at_or_after.returncode == 0, (
        f"bench/results/ingest.json ran on {results['commit'][:10]}, before the last change "
        f"to src/broadsheet/update/ ({last_change[:10]}): rerun bench/ingest/run.py --write-docs")
