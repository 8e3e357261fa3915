"""Outlet profiles: who publishes a source (country, language, ownership, owner), with
a citation for each fact, matched to sources by domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from broadsheet.errors import StorageError
from broadsheet.store.db import Database, as_utc, utcnow
from broadsheet.store.schema import outlet_domains, outlets
from broadsheet.types import web_address

FACTS = ("country", "language", "ownership", "owner")
"""The facts of a profile; each may carry a citation (a URL) under the same name."""

OWNERSHIP_TYPES = ("public broadcaster", "state-controlled", "state-funded", "private",
                   "non-profit", "cooperative", "other")
"""Suggested ownership types; others are accepted as written."""


@dataclass(frozen=True)
class Outlet:
    """A publisher's profile."""

    slug: str
    name: str
    domains: tuple[str, ...] = ()
    country: str | None = None
    language: str | None = None
    ownership: str | None = None
    owner: str | None = None
    citations: dict[str, str] = field(default_factory=dict)
    updated: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``broadsheet outlets`` and the API."""
        return {"slug": self.slug, "name": self.name, "domains": list(self.domains),
                "country": self.country, "language": self.language,
                "ownership": self.ownership, "owner": self.owner,
                "citations": dict(self.citations),
                "updated": self.updated.isoformat() if self.updated else None}


def outlet_from_json(data: dict[str, Any]) -> Outlet:
    """Read an outlet from the starter file's (or the CLI's) JSON; StorageError if invalid."""
    try:
        slug, name = str(data["slug"]).strip().lower(), str(data["name"]).strip()
    except KeyError as error:
        raise StorageError(f"outlets: missing {error.args[0]!r}") from None
    if not slug or not name:
        raise StorageError("outlets: slug and name must not be empty")
    citations = data.get("citations") or {}
    if not isinstance(citations, dict) or not all(
            isinstance(v, str) and web_address(v) == v for v in citations.values()):
        raise StorageError(f"outlets: {slug}: citations must map facts to URLs")
    domains = tuple(normalize_domain(d) for d in data.get("domains") or ())
    return Outlet(slug, name, domains, country=_text(data.get("country")),
                  language=_text(data.get("language")), ownership=_text(data.get("ownership")),
                  owner=_text(data.get("owner")),
                  citations={k: v for k, v in citations.items() if k in FACTS})


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def normalize_domain(value: str) -> str:
    """A host as compared: lower case, no scheme, port, path or leading ``www.``.

    A value written without a scheme may keep one path segment (``127.0.0.1/ledger``):
    outlets that share one host, as the demo newsroom's do, are told apart by it.
    """
    value = value.strip().lower()
    if "//" in value:
        host = urlsplit(value).hostname
        segment = ""
    else:
        host, _, rest = value.partition("/")
        host, segment = host.split(":")[0], rest.strip("/").split("/")[0]
    host = (host or "").rstrip(".").removeprefix("www.")
    return f"{host}/{segment}" if segment and host else host


def _first_segment(url: str) -> str:
    path = urlsplit(url).path.strip("/")
    return path.split("/")[0] if path else ""


def save_outlet(db: Database, outlet: Outlet) -> None:
    """Create or replace an outlet profile and its domains."""
    values = {"name": outlet.name, "country": outlet.country, "language": outlet.language,
              "ownership": outlet.ownership, "owner": outlet.owner,
              "citations": dict(outlet.citations), "updated": utcnow()}
    with db.begin() as connection:
        connection.execute(db.insert(outlets).values(slug=outlet.slug, **values)
                           .on_conflict_do_update(index_elements=["slug"], set_=values))
        connection.execute(sa.delete(outlet_domains)
                           .where(outlet_domains.c.outlet_slug == outlet.slug))
        for domain in dict.fromkeys(outlet.domains):
            connection.execute(db.insert(outlet_domains)
                               .values(domain=domain, outlet_slug=outlet.slug)
                               .on_conflict_do_update(index_elements=["domain"],
                                                      set_={"outlet_slug": outlet.slug}))


def import_outlets(db: Database, items: Iterable[dict[str, Any]]) -> int:
    """Save every outlet of a list of JSON objects; return how many."""
    count = 0
    for item in items:
        save_outlet(db, outlet_from_json(item))
        count += 1
    return count


def _outlets(connection: Any, where: Any = None) -> list[Outlet]:
    query = sa.select(outlets).order_by(outlets.c.slug)
    if where is not None:
        query = query.where(where)
    rows = connection.execute(query).all()
    domains: dict[str, list[str]] = {}
    slugs = [r.slug for r in rows]
    if slugs:
        for domain, slug in connection.execute(
                sa.select(outlet_domains.c.domain, outlet_domains.c.outlet_slug)
                .where(outlet_domains.c.outlet_slug.in_(slugs))
                .order_by(outlet_domains.c.domain)):
            domains.setdefault(slug, []).append(domain)
    return [Outlet(r.slug, r.name, tuple(domains.get(r.slug, ())), r.country, r.language,
                   r.ownership, r.owner, dict(r.citations or {}), as_utc(r.updated))
            for r in rows]


def list_outlets(db: Database) -> list[Outlet]:
    """Every outlet profile, by slug."""
    with db.begin() as connection:
        return _outlets(connection)


def get_outlet(db: Database, slug: str) -> Outlet | None:
    """One outlet profile, or None."""
    with db.begin() as connection:
        found = _outlets(connection, outlets.c.slug == slug.strip().lower())
    return found[0] if found else None


def delete_outlet(db: Database, slug: str) -> bool:
    """Remove an outlet profile; False if there was none."""
    with db.begin() as connection:
        return connection.execute(sa.delete(outlets).where(outlets.c.slug == slug)).rowcount > 0


def _suffixes(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


def outlets_for_urls(db: Database, urls: Sequence[str | None]) -> dict[str, Outlet]:
    """The outlet of each address whose host (or a parent domain) a profile names."""
    hosts = {url: normalize_domain(url) for url in urls if url and "//" in url}
    scoped = {url: f"{host}/{_first_segment(url).lower()}" for url, host in hosts.items()
              if host and _first_segment(url)}
    candidates = {s for host in hosts.values() if host for s in _suffixes(host)}
    candidates |= set(scoped.values())
    if not candidates:
        return {}
    with db.begin() as connection:
        slug_of = dict(connection.execute(
            sa.select(outlet_domains.c.domain, outlet_domains.c.outlet_slug)
            .where(outlet_domains.c.domain.in_(sorted(candidates)))).all())
        profiles = {o.slug: o for o in _outlets(
            connection, outlets.c.slug.in_(sorted(set(slug_of.values()))))} if slug_of else {}
    found: dict[str, Outlet] = {}
    for url, host in hosts.items():
        keys = [scoped[url]] if url in scoped else []
        slug = next((slug_of[s] for s in [*keys, *_suffixes(host)] if s in slug_of), None)
        if slug and slug in profiles:
            found[url] = profiles[slug]  # type: ignore[index]
    return found


def outlet_for_source(db: Database, source_url: str, site_url: str | None = None) -> Outlet | None:
    """The profile of a source, by its site's domain, else its feed's."""
    found = outlets_for_urls(db, [site_url, source_url])
    return found.get(site_url or "") or found.get(source_url)


STARTER_FILE = "outlets.json"
"""The starter profiles, in the ``broadsheet.stories`` package."""


def starter_outlets() -> list[dict[str, Any]]:
    """The starter profiles shipped with Broadsheet, as JSON objects."""
    import json
    from importlib.resources import files

    data = json.loads(files("broadsheet.stories").joinpath(STARTER_FILE).read_text("utf-8"))
    return list(data["outlets"])


def ensure_starter_outlets(db: Database) -> int:
    """Load the starter profiles once per database (never again, even if deleted)."""
    from broadsheet.store.stories import read_counter, set_counter

    if read_counter(db, "outlets_seeded"):
        return 0
    count = import_outlets(db, starter_outlets())
    set_counter(db, "outlets_seeded", 1)
    return count
