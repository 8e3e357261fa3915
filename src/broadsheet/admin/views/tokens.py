"""API tokens: one's own (every token, for admins), issuing one, revoking one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.accounts import access
from broadsheet.admin.session import Forbidden
from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.errors import BroadsheetError
from broadsheet.store import tokens as token_store
from broadsheet.store.users import Session


def tokens_page(request: Request) -> HTMLResponse:
    """The tokens this session may see."""
    session = staff(request)
    return render(request, "tokens.html", session, title="API tokens",
                  tokens=_visible_tokens(request, session), new_token=None)


def create_token(request: Request, form: Form) -> Response:
    """Issue a token and show it once, on a page no cache keeps."""
    session = staff(request, form)
    label = str(form.get("label") or "").strip() or "token"
    token, token_id = access.issue_token(db_of(request), session.user, label)
    audit(request, session, "token.create", token_id, label=label)
    response = render(request, "tokens.html", session, title="API tokens",
                      tokens=_visible_tokens(request, session), new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


def revoke(request: Request, token_id: int, form: Form) -> Response:
    """Revoke one's own token; admins may revoke anyone's."""
    session = staff(request, form)
    db = db_of(request)
    try:
        token = token_store.get_token(db, token_id)
        if token.user_id != session.user.id and session.user.role != "admin":
            raise Forbidden("only admins may revoke other people's tokens")
        token_store.revoke_token(db, token_id)
    except BroadsheetError as error:
        return back(request, "/admin/tokens", "failed", str(error))
    audit(request, session, "token.revoke", token_id, owner=token.user_name)
    return back(request, "/admin/tokens", "revoked", str(token_id))


def _visible_tokens(request: Request, session: Session) -> list[token_store.Token]:
    """Admins see every token, editors their own."""
    mine = None if session.user.role == "admin" else session.user.id
    return token_store.list_tokens(db_of(request), mine)
