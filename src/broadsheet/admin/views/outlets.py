"""Outlet profiles: the list, adding one, editing its facts and their citations."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.store import outlets as outlet_store
from broadsheet.types import web_address

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def outlets_page(request: Request) -> HTMLResponse:
    """Every outlet profile."""
    session = staff(request)
    return render(request, "outlets.html", session, title="Outlets",
                  outlets=outlet_store.list_outlets(db_of(request)), facts=outlet_store.FACTS)


def add_outlet(request: Request, form: Form) -> Response:
    """Create an outlet profile from a slug and a name."""
    session = staff(request, form)
    db = db_of(request)
    slug = str(form.get("slug") or "").strip().lower()
    name = str(form.get("name") or "").strip()[:200]
    if not SLUG.fullmatch(slug) or not name:
        return back(request, "/admin/outlets", "need_slug")
    if outlet_store.get_outlet(db, slug) is not None:
        return back(request, f"/admin/outlets/{slug}", "outlet_exists", slug)
    outlet_store.save_outlet(db, outlet_store.Outlet(slug, name))
    audit(request, session, "outlet.create", slug, name=name)
    return back(request, f"/admin/outlets/{slug}", "created", name)


def outlet_page(request: Request, slug: str) -> HTMLResponse:
    """One outlet's edit form, or a 404 page."""
    session = staff(request)
    outlet = outlet_store.get_outlet(db_of(request), slug)
    if outlet is None:
        return render(request, "forbidden.html", session, 404, title="Not found",
                      message=f"No outlet {slug}")
    return render(request, "outlet.html", session, title=outlet.name, outlet=outlet,
                  facts=outlet_store.FACTS, ownership_types=outlet_store.OWNERSHIP_TYPES)


def save_outlet(request: Request, slug: str, form: Form) -> Response:
    """Save the outlet form, or say what is wrong with it."""
    session = staff(request, form)
    db = db_of(request)
    outlet = outlet_store.get_outlet(db, slug)
    if outlet is None:
        return back(request, "/admin/outlets", "no_outlet")
    changed, problems = _outlet_changes(outlet, form)
    if problems:
        return back(request, f"/admin/outlets/{slug}", "not_saved", "; ".join(problems))
    outlet_store.save_outlet(db, changed)
    audit(request, session, "outlet.update", slug,
          fields=[f for f in ("name", "domains", *outlet_store.FACTS)
                  if getattr(changed, f) != getattr(outlet, f)],
          citations=changed.citations)
    return back(request, f"/admin/outlets/{slug}", "saved")


def _outlet_changes(outlet: outlet_store.Outlet, form: FormData
                    ) -> tuple[outlet_store.Outlet, list[str]]:
    """The outlet as the edit form describes it, and what is wrong with the form."""
    problems: list[str] = []
    name = str(form.get("name") or "").strip()[:200]
    if not name:
        problems.append("the name must not be empty")
    domains = tuple(dict.fromkeys(
        d for d in (outlet_store.normalize_domain(part)
                    for part in re.split(r"[\s,]+", str(form.get("domains") or ""))) if d))
    facts: dict[str, str | None] = {}
    citations: dict[str, str] = {}
    for fact in outlet_store.FACTS:
        facts[fact] = str(form.get(fact) or "").strip()[:200] or None
        cited = str(form.get(f"citation_{fact}") or "").strip()
        if not cited:
            continue
        if web_address(cited) != cited or len(cited) > 2000:
            problems.append(f"the citation for {fact} must be an http:// or https:// address")
        elif facts[fact] is None:
            problems.append(f"a citation for {fact} needs the {fact} itself")
        else:
            citations[fact] = cited
    return replace(outlet, name=name, domains=domains, citations=citations,
                   **facts), problems  # type: ignore[arg-type]
