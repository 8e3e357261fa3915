"""The audit log (admins only): who changed what, latest first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from broadsheet.admin.views._page import render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.store.audit import recent_actions


def audit_page(request: Request) -> HTMLResponse:
    """The latest recorded actions."""
    session = staff(request, role="admin")
    return render(request, "audit.html", session, title="Audit log",
                  entries=recent_actions(db_of(request)))
