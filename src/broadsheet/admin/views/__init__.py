"""The admin area's views, one module per entity; ``broadsheet.web.routes`` lists their
addresses (the ``ADMIN`` table).

Each handler is a plain function in FastAPI's style (path parameters, the posted ``Form``)
that reaches the database, the settings and the desk's own state only through its request
(``app.state.db``, ``app.state.settings``, ``app.state.admin``, see ``_state.py``).
Editors and admins may enter; readers may not; only admins manage users and see the audit
log. Every POST checks the session's CSRF token and is recorded in the audit log.
Refusals (no session, a role too low) are answered by ``errors.answer``, the admin
dialect of ``broadsheet.web.errors``.
"""

from __future__ import annotations

from pathlib import Path

from broadsheet.admin.views import (
    articles,
    audit,
    health,
    outlets,
    session,
    sources,
    stories,
    tokens,
    users,
)
from broadsheet.admin.views._state import AdminState, admin_of, state
from broadsheet.admin.views.errors import answer

__all__ = ["STATIC", "AdminState", "admin_of", "answer", "articles", "audit", "health",
           "outlets", "session", "sources", "state", "stories", "tokens", "users"]

STATIC = Path(__file__).parents[1] / "static"
"""The folder of the admin area's style sheet (served at ``/admin/static``)."""
