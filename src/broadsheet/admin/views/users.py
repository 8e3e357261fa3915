"""Users (admins only): the list, creating an account, changing or deleting one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.accounts import access
from broadsheet.accounts import users as accounts
from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.errors import BroadsheetError
from broadsheet.store import users as user_store


def users_page(request: Request) -> HTMLResponse:
    """Every account with its role."""
    session = staff(request, role="admin")
    return render(request, "users.html", session, title="Users",
                  users=user_store.list_users(db_of(request)), roles=access.auth.ROLES)


def create_user(request: Request, form: Form) -> Response:
    """Create an account with a name, a role and a password."""
    session = staff(request, form, "admin")
    name, role = str(form.get("name") or ""), str(form.get("role") or "reader")
    try:
        user = accounts.create_account(db_of(request), name, role,
                                       str(form.get("password") or ""))
    except BroadsheetError as error:
        return back(request, "/admin/users", "failed", str(error))
    audit(request, session, "user.create", user.name, role=role)
    return back(request, "/admin/users", "created", user.name)


def user_action(request: Request, user_id: int, action: str, form: Form) -> Response:
    """Change an account's role, password or reader-app password, or delete it."""
    session = staff(request, form, "admin")
    db = db_of(request)
    try:
        user = user_store.get_user(db, user_id)
        if action == "role":
            accounts.change_role(db, user, str(form.get("role") or ""))
        elif action == "password":
            accounts.set_password(db, user.id, str(form.get("password") or ""))
        elif action == "api-password":
            accounts.set_api_password(db, user, str(form.get("password") or "") or None)
        elif action == "delete":
            accounts.delete_account(db, user)
        else:
            return back(request, "/admin/users", "unknown_action")
    except BroadsheetError as error:
        return back(request, "/admin/users", "failed", str(error))
    detail = {"role": str(form.get("role"))} if action == "role" else {}
    audit(request, session, f"user.{action}", user.name, **detail)
    return back(request, "/admin/users", "done", f"{action} for {user.name}")
