"""The arrows point one way: stages never import the layers built on them.

A small import-linter of our own: every ``broadsheet.*`` import in the source tree is read
with ``ast`` and checked against the layer contract drawn in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "broadsheet"

# What each part (a package, or a module such as publish.py) may import besides itself,
# types, errors and settings.
ALLOWED = {
    "fetch": set(),
    "parse": set(),
    "extract": set(),
    "stories": set(),
    "store": set(),
    "sources": {"fetch", "parse", "store"},
    "update": {"fetch", "parse", "extract", "stories", "store", "sources"},
    "demo": set(),
    "accounts": {"store"},
    "publish": {"extract"},
    "site": {"store", "stories", "extract", "fetch", "publish"},
    "api": {"store", "stories", "extract", "sources", "update", "fetch", "parse", "site",
            "accounts", "publish"},
    "admin": {"store", "stories", "extract", "sources", "update", "api", "site", "accounts"},
}
ALWAYS = {"types", "errors", "settings", "__init__"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "broadsheet" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_is_below_it(part):
    allowed = ALLOWED[part] | ALWAYS | {part}
    wrong = {}
    module = PACKAGE / f"{part}.py"
    for path in [module] if module.exists() else sorted((PACKAGE / part).rglob("*.py")):
        bad = _imports(path) - allowed
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert not wrong, f"{part} reaches up or sideways: {wrong}"


def test_nothing_but_the_entry_points_imports_the_cli_or_web():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name not in ("cli.py", "__main__.py") and not p.name.startswith("cli_")
                 and {"cli", "web"} & _imports(p) and p.name != "web.py"]
    assert not offenders
