"""Reading feedparser's test corpus and grading a parser on it (tests/test_parse_conformance.py).

Each corpus file states its expected parse in an ``Expect:`` line, a Python expression
over feedparser's result (``not bozo and entries[0]['title'] == u'Example'``); every
top-level ``and`` term is one check. Expressions are never handed to ``eval``: a small
evaluator walks their syntax tree and knows comparisons, subscripts, key lookups,
``get``/``has_key``, ``len``, ``ord`` and string concatenation, and refuses the rest.
Our ``ParsedFeed`` is presented under feedparser's key names by an adapter.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import operator
import re
import warnings
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from broadsheet.errors import ParseError
from broadsheet.parse import parse_feed
from broadsheet.types import FeedEntry, ParsedFeed

_DESCRIPTION = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.M)
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"))
_SHAPES = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
           (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))


def _read_text(data: bytes) -> str:
    """The file as text, as feedparser's harness reads it: BOM or shape, else UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="ignore")
    for shape, encoding in _SHAPES:
        if data.startswith(shape):
            return data.decode(encoding, errors="ignore")
    return data.decode("utf-8", errors="ignore")


# ---------------------------------------------------------------------------------------
# Reading an Expect expression: its checks and the key paths each one reads.


def _chain(node: ast.expr) -> tuple[str, ...] | None:
    """The key path of ``feed['a'][0].b.get('c')``: ('feed', 'a', 'b', 'c'); None if no name."""
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Subscript):
        base = _chain(node.value)
        if base is None:
            return None
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return (*base, key.value)
        return base
    if isinstance(node, ast.Attribute):
        base = _chain(node.value)
        return None if base is None else (*base, node.attr)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("get", "has_key") and node.args:
        base = _chain(node.func.value)
        key = node.args[0]
        if base is not None and isinstance(key, ast.Constant) and isinstance(key.value, str):
            return (*base, key.value)
        return base
    return None


def key_paths(check: ast.expr) -> set[tuple[str, ...]]:
    """Every key path a check reads (the longest chains only)."""
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(check):
        path = None
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str) \
                and isinstance(node.ops[0], ast.In | ast.NotIn):
            inner = _chain(node.comparators[0])
            path = None if inner is None else (*inner, node.left.value)
        elif isinstance(node, ast.Subscript | ast.Attribute | ast.Name | ast.Call):
            path = _chain(node)
        if path is not None and path[0] not in _FUNCTIONS:
            found.add(path)
    return {p for p in found if not any(o != p and o[:len(p)] == p for o in found)}


def checks(expect: str) -> list[ast.expr]:
    """The top-level ``and`` terms of an Expect expression."""
    tree = ast.parse(expect.strip(), mode="eval").body
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        return list(tree.values)
    return [tree]


# ---------------------------------------------------------------------------------------
# Evaluating a check without eval().


class Refused(Exception):
    """The expression uses syntax the evaluator does not support."""


_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"len": len, "ord": ord}


def evaluate(node: ast.expr, env: dict[str, Any]) -> Any:
    """Evaluate the small expression language of the corpus's Expect lines."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _FUNCTIONS:
            return _FUNCTIONS[node.id]
        if node.id not in env:
            raise Refused(node.id)
        return env[node.id]
    if isinstance(node, ast.BoolOp):
        values = (evaluate(v, env) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, env)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        raise Refused(ast.dump(node))
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, env)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = evaluate(right_node, env)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left, env) + evaluate(node.right, env)
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(evaluate(e, env) for e in node.elts)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {evaluate(k, env): evaluate(v, env)  # type: ignore[arg-type]
                for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Subscript):
        return evaluate(node.value, env)[evaluate(node.slice, env)]
    if isinstance(node, ast.Attribute):
        obj = evaluate(node.value, env)
        if isinstance(obj, dict):
            if node.attr == "get":
                return obj.get
            if node.attr == "has_key":
                return obj.__contains__
            return obj[node.attr]
        raise Refused(node.attr)
    if isinstance(node, ast.Call) and not node.keywords:
        function = evaluate(node.func, env)
        if not callable(function):
            raise Refused("call")
        return function(*(evaluate(a, env) for a in node.args))
    raise Refused(type(node).__name__)


def passes(check: ast.expr, env: dict[str, Any]) -> bool:
    """Whether a check holds; a missing key or entry is a failure, not an error."""
    try:
        return bool(evaluate(check, env))
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------
# Our result under feedparser's key names (modelled fields only; empty ones left out).


def _put(target: dict[str, Any], key: str, value: Any, *aliases: str) -> None:
    if not value:
        return
    for name in (key, *aliases):
        target[name] = value


class PlainText(str):
    """A plain-text field of ours (titles, the feed description), compared with
    feedparser's value, which is text or HTML as the feed declared: equal to it, or to
    its text once read as HTML (tags dropped, entities read), whitespace collapsed."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        mine = str(self)
        return mine == other or bool(mine) and mine in (" ".join(other.split()),
                        " ".join(html.unescape(_TAG.sub("", other)).split()))

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


_TAG = re.compile(r"<[^>]*>")


def _canonical_html(value: str) -> str:
    """One serialisation of an HTML fragment: ``<br/>``, ``<br />`` and ``<br>`` alike."""
    try:
        parts = lxml_html.fragments_fromstring(value)
    except (etree.ParserError, ValueError):
        return value
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        for element in part.iter():  # attribute order carries no meaning
            attributes = sorted(element.attrib.items())
            element.attrib.clear()
            element.attrib.update(attributes)
        out.append(lxml_html.tostring(part, encoding="unicode"))
    return " ".join("".join(out).split())


class HtmlText(str):
    """An HTML field of ours (summary, content), compared with feedparser's value, which
    is HTML or plain text as the feed declared: the same markup once both are parsed, or
    our text equal to its plain text."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        mine = str(self)
        if mine == other or _canonical_html(mine) == _canonical_html(other):
            return True
        text = " ".join(html.unescape(_TAG.sub("", mine)).split())
        return bool(text) and text == " ".join(other.split())

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


class PersonName(str):
    """An author name of ours, compared with feedparser's ``author``, which appends the
    e-mail address we do not keep: ``Name`` or ``Name (address)``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        mine = str(self)
        return mine == other or other.startswith(mine + " (") and other.endswith(")")

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


class Enclosure(dict[str, Any]):
    """An enclosure as feedparser gives it: ``url`` is another name for ``href``."""

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__("href" if key == "url" else key)

    def __contains__(self, key: object) -> bool:
        return super().__contains__("href" if key == "url" else key)


def _instant(value: dt.datetime | None) -> Any:
    return None if value is None else value.utctimetuple()


def adapt_entry(entry: FeedEntry) -> dict[str, Any]:
    """One FeedEntry as feedparser names its fields."""
    out: dict[str, Any] = {}
    _put(out, "title", PlainText(entry.title))
    if entry.title:
        out["title_detail"] = {"value": out["title"]}
    _put(out, "link", entry.link)
    _put(out, "id", entry.guid, "guid")
    summary = HtmlText(entry.summary or entry.content)
    _put(out, "summary", summary, "description")
    if summary:
        out["summary_detail"] = {"value": summary}
    if entry.content:
        out["content"] = [{"value": HtmlText(entry.content)}]
    if entry.authors:
        out["author"] = PersonName(entry.authors[0])
        out["author_detail"] = {"name": entry.authors[0]}
        out["authors"] = [{"name": a} for a in entry.authors]
    _put(out, "published_parsed", _instant(entry.published), "issued_parsed")
    _put(out, "updated_parsed", _instant(entry.updated), "modified_parsed")
    if entry.categories:
        out["tags"] = [{"term": c} for c in entry.categories]
        out["category"] = entry.categories[0]
    if entry.enclosures:
        out["enclosures"] = [
            Enclosure(href=e.url, type=e.type,
                      **({"length": str(e.length)} if e.length is not None else {}))
            for e in entry.enclosures]
    return out


def adapt(feed: ParsedFeed | None) -> dict[str, Any]:
    """The evaluation names (``feed``, ``entries``) for our result; empty when it failed."""
    if feed is None:
        return {"feed": {}, "entries": []}
    head: dict[str, Any] = {}
    _put(head, "title", PlainText(feed.title))
    if feed.title:
        head["title_detail"] = {"value": head["title"]}
    _put(head, "link", feed.site_url)
    _put(head, "subtitle", PlainText(feed.description), "tagline", "description")
    if feed.description:
        head["subtitle_detail"] = head["tagline_detail"] = {"value": head["subtitle"]}
    _put(head, "language", feed.language)
    return {"feed": head, "entries": [adapt_entry(e) for e in feed.entries]}


# ---------------------------------------------------------------------------------------
# Running the corpus.


@dataclass
class Case:
    """One corpus file: how to read it and its graded checks."""

    name: str
    data: bytes
    headers: dict[str, str]
    graded: list[ast.expr] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


Classify = Callable[[tuple[str, ...]], "str | None"]


def load_cases(tests: Path, folders: Iterable[str], skipped: Iterable[str],
               classify: Classify) -> Iterator[Case]:
    """The corpus files under ``folders`` (not under ``skipped``), their checks sorted
    into graded ones and out-of-scope counts by the category ``classify`` gives a key
    path (None: modelled)."""
    skipped = tuple(f + "/" for f in skipped)
    for folder in folders:
        for path in sorted((tests / folder).rglob("*.xml")):
            name = path.relative_to(tests).as_posix()
            if name.startswith(skipped):
                continue
            data = path.read_bytes()
            text = _read_text(data)
            found = _DESCRIPTION.search(text)
            if found is None:
                continue
            headers = {k.strip().lower(): v.strip() for k, v in _HEADER.findall(text)}
            case = Case(name, data, headers)
            for check in checks(found.group(2)):
                kinds = sorted(k for k in map(classify, key_paths(check)) if k is not None)
                if kinds:
                    kind = kinds[0]
                    case.skipped[kind] = case.skipped.get(kind, 0) + 1
                else:
                    case.graded.append(check)
            yield case


def _document_url(case: Case) -> str:
    """Where the document came from, Content-Location applied: feedparser's harness
    serves files named ``http*`` from a local address, and gives the others no address."""
    if "http" not in case.name:
        return ""
    requested = f"http://127.0.0.1:8097/{case.name}"
    located = urljoin(requested, case.headers.get("content-location", ""))
    return located if located.startswith(("http://", "https://")) else requested


def ours(case: Case) -> dict[str, Any]:
    """Our result under feedparser's names; a document we refuse reads as empty."""
    try:
        feed = parse_feed(case.data, _document_url(case), case.headers.get("content-type", ""))
    except ParseError:
        feed = None
    return adapt(feed)


def feedparsers(case: Case) -> dict[str, Any]:
    """feedparser's result, read the way its own harness reads each folder."""
    import feedparser

    source: bytes | str = case.data
    if case.name.startswith("wellformed/") and not case.headers:
        source = _read_text(case.data)
    headers = dict(case.headers)
    headers["content-location"] = _document_url(case)
    headers.setdefault("content-type", "text/xml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = feedparser.parse(source, response_headers=headers)
    return {"feed": result.get("feed", {}), "entries": result.get("entries", [])}


@dataclass
class Tally:
    """Graded checks and how many each parser passed, in one run."""

    graded: int = 0
    ours: int = 0
    theirs: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    out_of_scope: dict[str, int] = field(default_factory=dict)
    deliberate: int = 0


def run_corpus(cases: Iterable[Case], deliberate: Container[str],
               with_feedparser: bool = True) -> Tally:
    """Grade every case against our parser and, on the same checks, feedparser."""
    tally = Tally()
    for case in cases:
        for kind, count in case.skipped.items():
            tally.out_of_scope[kind] = tally.out_of_scope.get(kind, 0) + count
        if not case.graded:
            continue
        if case.name in deliberate:
            tally.deliberate += len(case.graded)
            continue
        env = ours(case)
        theirs = feedparsers(case) if with_feedparser else None
        for check in case.graded:
            tally.graded += 1
            if passes(check, env):
                tally.ours += 1
            else:
                tally.failures.append((case.name, ast.unparse(check)))
            if theirs is not None and passes(check, theirs):
                tally.theirs += 1
    return tally
