"""The admin area's routes, one line each; the handlers live in one module per entity.

Each handler is a plain function in FastAPI's style (path parameters, the posted ``Form``)
that reaches the database, the settings and the desk's own state only through its request
(``app.state.db``, ``app.state.settings``, ``app.state.admin``, see ``_state.py``).
Editors and admins may enter; readers may not; only admins manage users and see the audit
log. Every POST checks the session's CSRF token and is recorded in the audit log.
Refusals (no session, a role too low) are answered by ``errors.answer``.

Order matters where two paths could match: ``export.opml`` before ``{source_id}``,
``reextract`` before ``{action}``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse

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

__all__ = ["ROUTES", "STATIC", "AdminState", "admin_of", "answer", "state"]

Route = tuple[tuple[str, ...], str, Callable[..., Any], dict[str, Any]]
"""One row of the table: (methods, path, handler, options for ``add_api_route``), as in
``broadsheet.api``'s tables."""

GET, POST = ("GET",), ("POST",)

HIDDEN: dict[str, Any] = {"include_in_schema": False}
"""Options of every admin route: the desk is not part of the API's OpenAPI document."""
PAGE: dict[str, Any] = {**HIDDEN, "response_class": HTMLResponse}
"""Options of a route answering an HTML page."""

ROUTES: tuple[Route, ...] = (
    (GET, "/admin/login", session.login_form, PAGE),
    (POST, "/admin/login", session.login, HIDDEN),
    (POST, "/admin/logout", session.logout, HIDDEN),
    (GET, "/admin", session.home, HIDDEN),
    (GET, "/admin/sources", sources.sources_page, PAGE),
    (POST, "/admin/sources", sources.add_source, HIDDEN),
    (GET, "/admin/sources/export.opml", sources.export, HIDDEN),
    (POST, "/admin/sources/import", sources.import_sources, HIDDEN),
    (GET, "/admin/sources/{source_id}", sources.source_page, PAGE),
    (POST, "/admin/sources/{source_id}", sources.save_source, HIDDEN),
    (POST, "/admin/sources/{source_id}/delete", sources.delete_source, HIDDEN),
    (GET, "/admin/health", health.health, PAGE),
    (GET, "/admin/articles", articles.articles_page, PAGE),
    (POST, "/admin/articles/{article_id}/reextract", articles.reextract, HIDDEN),
    (POST, "/admin/articles/{article_id}/{action}", articles.article_action, HIDDEN),
    (GET, "/admin/stories", stories.stories_page, PAGE),
    (POST, "/admin/stories/{story_id}/merge", stories.merge_story, HIDDEN),
    (POST, "/admin/stories/split/{article_id}", stories.split_story, HIDDEN),
    (GET, "/admin/outlets", outlets.outlets_page, PAGE),
    (POST, "/admin/outlets", outlets.add_outlet, HIDDEN),
    (GET, "/admin/outlets/{slug}", outlets.outlet_page, PAGE),
    (POST, "/admin/outlets/{slug}", outlets.save_outlet, HIDDEN),
    (GET, "/admin/users", users.users_page, PAGE),
    (POST, "/admin/users", users.create_user, HIDDEN),
    (POST, "/admin/users/{user_id}/{action}", users.user_action, HIDDEN),
    (GET, "/admin/tokens", tokens.tokens_page, PAGE),
    (POST, "/admin/tokens", tokens.create_token, HIDDEN),
    (POST, "/admin/tokens/{token_id}/revoke", tokens.revoke, HIDDEN),
    (GET, "/admin/audit", audit.audit_page, PAGE),
)
"""Every admin route, in matching order."""

STATIC = ("/admin/static", Path(__file__).parents[1] / "static", "admin-static")
"""Where the admin area's style sheet is served: path, folder, route name."""
