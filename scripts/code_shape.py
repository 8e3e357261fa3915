"""Print the shape of the source tree: function lengths, large modules, upward imports.

    python scripts/code_shape.py [src/broadsheet]

Function length counts the lines from ``def`` to the last line of the body, nested
functions included in their parent and also counted on their own. An import points
upward when a module imports a part ranked above its own in ``RANK`` (the layer order
drawn in docs/architecture.md); parts of equal rank may import each other only inside
one package.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

RANK = {
    "types": 0, "errors": 0, "settings": 0,
    "fetch": 1, "parse": 1, "extract": 1, "stories": 1, "store": 1, "demo": 1,
    "sources": 2, "update": 3, "accounts": 4, "publish": 4,
    "site": 5, "api": 6, "admin": 7, "web": 8, "server": 8, "cli": 9, "__main__": 9, "__init__": 9,
}


def _part(path: Path, root: Path) -> str:
    first = path.relative_to(root).parts[0]
    return first.removesuffix(".py")


def _rank(part: str) -> int:
    if part.startswith("cli"):
        return RANK["cli"]
    return RANK.get(part, 0)


def shape(root: Path) -> dict[str, object]:
    lengths: list[int] = []
    longest: list[tuple[int, str]] = []
    big: list[tuple[int, str]] = []
    upward: list[str] = []
    graph: dict[str, set[str]] = {}
    nested = 0
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        tree = ast.parse(text)
        lines = text.count("\n")
        name = str(path.relative_to(root))
        if lines > 400:
            big.append((lines, name))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                lengths.append(size)
                longest.append((size, f"{name}:{node.name}"))
                nested += sum(isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                              for child in ast.walk(node) if child is not node)
        mine = _part(path, root)
        module_name = ".".join(("broadsheet", *path.relative_to(root).with_suffix("").parts))
        module_name = module_name.removesuffix(".__init__")
        edges = graph.setdefault(module_name, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for module in names:
                parts = module.split(".")
                if parts[0] != "broadsheet" or len(parts) < 2:
                    continue
                target = parts[1]
                edges.add(module)
                if target != mine and _rank(target) > _rank(mine):
                    upward.append(f"{name} -> broadsheet.{target}")
    lengths.sort()
    return {
        "import cycles": _cycles(graph),
        "functions": len(lengths),
        "median": statistics.median(lengths),
        "p90": lengths[int(0.9 * (len(lengths) - 1))],
        "nested functions": nested,
        "longest": sorted(longest, reverse=True)[:8],
        "modules over 400 lines": sorted(big, reverse=True),
        "upward imports": upward,
    }


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Groups of modules that import each other, directly or around a circle (an import
    of a name inside a module counts as an import of the module)."""
    edges = {m: {t if t in graph else t.rsplit(".", 1)[0] for t in targets} & graph.keys()
             for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[str] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(" <-> ".join(sorted(group)))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "src/broadsheet")
    for key, value in shape(root).items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print(f"  {item}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
