"""Browser sessions and CSRF for the admin area.

The cookie holds a random session id; the database holds only its SHA-256 digest,
the user and a per-session CSRF token that every form posts back. Before login, a
short-lived double-submit cookie protects the login form itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from broadsheet.accounts import auth
from broadsheet.store import Database
from broadsheet.store import users as user_store
from broadsheet.store.users import Session

SESSION_COOKIE = "broadsheet_session"
LOGIN_CSRF_COOKIE = "broadsheet_login_csrf"
LIFETIME = dt.timedelta(days=14)


class LoginRequired(Exception):
    """No live session: the admin area redirects to the login page."""


class Forbidden(Exception):
    """A live session whose role may not do this."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int | None) -> None:
    """Set a cookie as the admin area always does: HttpOnly, SameSite=Lax, Secure on https."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=_secure(request))


def current_session(db: Database, request: Request) -> Session | None:
    """The live session of this browser, if any."""
    value = request.cookies.get(SESSION_COOKIE)
    return user_store.get_session(db, auth.digest(value)) if value else None


def require(db: Database, request: Request, role: str = "editor") -> Session:
    """The session, when its user has at least ``role``; else LoginRequired or Forbidden."""
    session = current_session(db, request)
    if session is None:
        raise LoginRequired()
    if not auth.role_at_least(session.user.role, role):
        raise Forbidden(f"your role ({session.user.role}) cannot use this part of the desk")
    return session


def check_csrf(session: Session, form: Any) -> None:
    """Refuse a form whose CSRF token is missing or wrong."""
    if not auth.same(str(form.get("csrf_token") or ""), session.csrf_token):
        raise Forbidden("the form expired or did not come from this site; reload and try again")


def start_session(db: Database, request: Request, response: Response, user_id: int,
                  address: str) -> None:
    """Create a session for a user and set its cookie on the response."""
    value = auth.new_secret()
    user_store.create_session(db, user_id, auth.digest(value), auth.new_secret(), LIFETIME,
                              address)
    set_cookie(response, request, SESSION_COOKIE, value, int(LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")


def end_session(db: Database, request: Request, response: Response) -> None:
    """Delete this browser's session and its cookie."""
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        user_store.delete_session(db, auth.digest(value))
    response.delete_cookie(SESSION_COOKIE, path="/")
