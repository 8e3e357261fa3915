"""The arrows point one way: stages never import the layers built on them.

A small import-linter of our own: every ``broadsheet.*`` import in the source tree is read
with ``ast`` and checked against the layer contract drawn in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "broadsheet"

# What each part may import besides itself, types, errors and settings.
ALLOWED = {
    "fetch": set(),
    "parse": set(),
    "extract": set(),
    "stories": set(),
    "store": set(),
    "sources": {"fetch", "parse", "extract", "store"},
    "update": {"fetch", "parse", "extract", "stories", "store", "sources"},
    "demo": set(),
    "supervise": set(),
    "accounts": {"store"},
    "publish": {"extract"},
    "site": {"store", "stories", "extract", "fetch", "publish"},
    "api": {"store", "stories", "extract", "sources", "update", "fetch", "parse", "site",
            "accounts", "publish"},
    "admin": {"store", "stories", "extract", "sources", "update", "api", "site", "accounts"},
    "web": {"store", "stories", "extract", "sources", "update", "fetch", "parse", "site",
            "api", "admin", "accounts", "publish", "server"},
}
ALWAYS = {"types", "errors", "settings", "__init__"}


def _files(part: str) -> list[Path]:
    """The source files of a part: a package's modules, or a module of its own."""
    module = PACKAGE / f"{part}.py"
    return [module] if module.exists() else sorted((PACKAGE / part).rglob("*.py"))


def _part_of(path: Path) -> str:
    """The part a source file belongs to: its package, or its own name for a module."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (``from a import b`` counts as ``a``)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(names)
    return found


def _imports(path: Path) -> set[str]:
    """The parts of broadsheet that ``path`` imports."""
    return {name.split(".")[1] for name in _imported_modules(path)
            if name.startswith("broadsheet.")}


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_is_below_it(part):
    allowed = ALLOWED[part] | ALWAYS | {part}
    wrong = {}
    for path in _files(part):
        bad = _imports(path) - allowed
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert not wrong, f"{part} reaches up or sideways: {wrong}"


# The command line and the web app are entry points: only these parts may import them.
IMPORTED_ONLY_BY = {"cli": {"cli", "__main__"}, "web": {"web", "cli"}}


def test_nothing_but_the_entry_points_imports_the_cli_or_web():
    """Holds whether ``cli`` and ``web`` are modules or packages."""
    offenders = [f"{p.relative_to(PACKAGE)} imports {entry}" for p in PACKAGE.rglob("*.py")
                 for entry, importers in IMPORTED_ONLY_BY.items()
                 if entry in _imports(p) and _part_of(p) not in importers]
    assert not offenders


def test_the_cli_modules_import_each_other_one_way():
    """Inside the cli package a module imports only modules below it: no circles."""
    graph = {p.stem: {(name.split(".") + ["__init__"])[2] for name in _imported_modules(p)
                      if name == "broadsheet.cli" or name.startswith("broadsheet.cli.")}
             for p in (PACKAGE / "cli").glob("*.py")}
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {m for m, imported in graph.items() if m not in done and imported <= done}
        assert ready, f"cli modules import each other in a circle: {sorted(set(graph) - done)}"
        done |= ready


def test_only_the_store_speaks_sqlalchemy():
    """SQLAlchemy's names and errors stay inside store/: the layers above get plain values
    and broadsheet.errors (StorageError), whatever the database engine."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "store" in path.relative_to(PACKAGE).parts[:1]:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n.split(".")[0] == "sqlalchemy" for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders, f"SQLAlchemy outside store/: {offenders}"
