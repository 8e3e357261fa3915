"""What every admin view reaches through its request: the database, the settings and the
desk's own state (templates, the key that signs messages), all kept on ``app.state``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from broadsheet.settings import Settings
from broadsheet.store import Database

TEMPLATES = Path(__file__).parents[1] / "templates"


@dataclass(frozen=True)
class AdminState:
    """The admin area's share of ``app.state.admin``: built once per application."""

    templates: Environment
    message_key: bytes
    """Signs the detail of a message after a form, so only this application can word it."""


def state(db: Database, settings: Settings) -> AdminState:
    """The admin state for an application on ``db`` with ``settings`` (the app keeps both on
    ``app.state`` beside it; the desk's templates and message key depend on neither)."""
    return AdminState(templates=_templates(), message_key=secrets.token_bytes(32))


def _templates() -> Environment:
    from broadsheet.site.formatting import full_time

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["full_time"] = full_time
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else "never"
    return env


def admin_of(request: Request) -> AdminState:
    """The admin state of the application serving ``request``."""
    admin: AdminState = request.app.state.admin
    return admin


def db_of(request: Request) -> Database:
    """The database of the application serving ``request``."""
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    """The settings of the application serving ``request``."""
    settings: Settings = request.app.state.settings
    return settings
