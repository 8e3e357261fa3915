"""How the admin area answers its own refusals: no session leads to the login page, a
session whose role may not do something gets a 403 page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.admin.session import Forbidden, LoginRequired
from broadsheet.admin.views._state import admin_of


def answer(request: Request, error: Exception) -> Response | None:
    """The admin area's answer to ``error``, or None when it is not an admin refusal."""
    if isinstance(error, LoginRequired):
        return RedirectResponse("/admin/login", status_code=303)
    if isinstance(error, Forbidden):
        page = admin_of(request).templates.get_template("forbidden.html").render(
            title="Not allowed", message=error.message, session=None)
        return HTMLResponse(page, status_code=403)
    return None
