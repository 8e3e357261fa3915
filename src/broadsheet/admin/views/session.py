"""Logging in and out of the desk, and its front door."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.accounts import access
from broadsheet.admin import session as sessions
from broadsheet.admin.session import Forbidden
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.store.audit import record_action


def login_form(request: Request) -> HTMLResponse:
    """The login page, with the double-submit cookie that protects its form."""
    token = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or access.auth.new_secret()
    response = render(request, "login.html", None, title="Log in", csrf_token=token)
    sessions.set_cookie(response, request, sessions.LOGIN_CSRF_COOKIE, token, 3600)
    return response


def login(request: Request, form: Form) -> Response:
    """Start a session for an editor or admin whose password is right."""
    db = db_of(request)
    expected = request.cookies.get(sessions.LOGIN_CSRF_COOKIE)
    if not access.auth.same(str(form.get("csrf_token") or ""), expected):
        raise Forbidden("the login form expired; reload the page and try again")
    address = access.client_address(request)
    try:
        user = access.check_password_login(db, str(form.get("name") or ""),
                                           str(form.get("password") or ""), address)
    except access.LoginRefused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        page = render(request, "login.html", None, 429 if refused.retry_after else 401,
                      title="Log in", csrf_token=expected, error=str(refused),
                      retry_after=refused.retry_after)
        page.headers.update(headers)
        return page
    if not access.auth.role_at_least(user.role, "editor"):
        raise Forbidden("readers use reading apps; the desk is for editors and admins")
    response = RedirectResponse("/admin/sources", status_code=303)
    sessions.start_session(db, request, response, user.id, address)
    record_action(db, user, "session.login", user.name, address)
    return response


def logout(request: Request, form: Form) -> Response:
    """End this browser's session."""
    session = staff(request, form, "reader")
    response = RedirectResponse("/admin/login", status_code=303)
    sessions.end_session(db_of(request), request, response)
    audit(request, session, "session.logout", session.user.name)
    return response


def home(request: Request) -> Response:
    """``/admin`` leads to the sources."""
    staff(request)
    return RedirectResponse("/admin/sources", status_code=303)
