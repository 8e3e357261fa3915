"""What every admin view does: read the posted form, check who is asking, render a page,
record a change in the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from broadsheet.accounts import access
from broadsheet.admin import session as sessions
from broadsheet.admin.views._messages import message_of
from broadsheet.admin.views._state import admin_of, db_of, settings_of
from broadsheet.store.audit import record_action
from broadsheet.store.users import Session


async def form_of(request: Request) -> AsyncIterator[FormData]:
    """The posted form (read before the handler runs in a thread); uploaded files are
    closed afterwards, whether the handler accepted the form or refused it."""
    async with request.form() as form:
        yield form


Form = Annotated[FormData, Depends(form_of)]


def render(request: Request, name: str, session: Session | None, status: int = 200,
           **context: Any) -> HTMLResponse:
    """The page ``name`` for this session, with the message a form left in the address."""
    html = admin_of(request).templates.get_template(name).render(
        session=session, site_title=settings_of(request).site_title,
        message=message_of(request), **context)
    return HTMLResponse(html, status_code=status)


def staff(request: Request, form: FormData | None = None, role: str = "editor") -> Session:
    """The session of someone with at least ``role``, whose ``form`` (if any) carries the
    session's CSRF token; else LoginRequired or Forbidden."""
    found = sessions.require(db_of(request), request, role)
    if form is not None:
        sessions.check_csrf(found, form)
    return found


def audit(request: Request, session: Session, action: str, target: object = "",
          **detail: Any) -> None:
    """Record in the audit log that this session's user did ``action`` to ``target``."""
    record_action(db_of(request), session.user, action, str(target),
                  access.client_address(request), **detail)
