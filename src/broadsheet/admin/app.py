"""Routes of the admin area: login, sources, feed health, articles, users, tokens, audit.

    /admin/login  (GET form, POST)        /admin/logout (POST)
    /admin/sources (list, POST add)       /admin/sources/{id} (edit, POST save, /delete)
    /admin/sources/export.opml, /admin/sources/import (POST)
    /admin/health                         /admin/articles (POST /{id}/hide, /show, /reextract)
    /admin/stories (POST /{id}/merge, /split/{article_id})
    /admin/outlets (list, POST add)       /admin/outlets/{slug} (edit, POST save)
    /admin/users (admins)                 /admin/tokens               /admin/audit (admins)

Editors and admins may enter; readers may not; only admins manage users and see the
audit log. Every POST checks the session's CSRF token and is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from broadsheet.admin import session as sessions
from broadsheet.admin.plot import bar_chart, days_back, fetch_time_chart, nice_top
from broadsheet.admin.session import Forbidden, LoginRequired
from broadsheet.api import access, accounts
from broadsheet.errors import BroadsheetError
from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store import outlets as outlet_store
from broadsheet.store import sources as source_store
from broadsheet.store import stories as story_store
from broadsheet.store import tokens as token_store
from broadsheet.store import users as user_store
from broadsheet.store.audit import recent_actions, record_action
from broadsheet.store.users import Session
from broadsheet.types import web_address
from broadsheet.update.reextract import reextract_article

HERE = Path(__file__).parent
RULE_KEYS = ("extract_selector", "extract_remove")
"""Per-source extraction rules kept in ``sources.settings`` (CSS selectors)."""


def _templates() -> Environment:
    from broadsheet.site.formatting import full_time

    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["full_time"] = full_time
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else "never"
    return env


class AdminRoute(APIRoute):
    """Turns LoginRequired into a redirect to the login page and Forbidden into a 403 page."""

    render_forbidden: Callable[[str], Response] | None = None

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return RedirectResponse("/admin/login", status_code=303)
            except Forbidden as refused:
                page = _ENV.get_template("forbidden.html").render(
                    title="Not allowed", message=refused.message, session=None)
                return HTMLResponse(page, status_code=403)

        return guarded


_ENV = _templates()


async def form_of(request: Request) -> AsyncIterator[FormData]:
    """The posted form (read before the handler runs in a thread); uploaded files are
    closed afterwards, whether the handler accepted the form or refused it."""
    async with request.form() as form:
        yield form


Form = Annotated[FormData, Depends(form_of)]


MESSAGES = {
    "need_http": "Give an address starting with http:// or https://",
    "subscribe_failed": "Could not subscribe: {}", "subscribed": "Subscribed to {}",
    "import_failed": "Could not import: {}", "imported": "Imported {} sources",
    "not_saved": "Not saved: {}", "saved": "Saved", "deleted": "Deleted {}",
    "no_article": "No such article", "unknown_action": "Unknown action",
    "reextracted": "Article {}", "hidden": "Article {} hidden", "shown": "Article {} shown",
    "need_story": "Give the number of the story to merge into", "merged": "Story {}",
    "split": "Article {}", "need_slug": "Give a name and a slug of a-z, 0-9 and dashes",
    "outlet_exists": "{} exists already", "no_outlet": "No such outlet",
    "created": "Created {}", "done": "Done: {}", "revoked": "Revoked token {}",
    "failed": "Not done: {}",
}
"""What a page may say after a form: ``?msg=<code>`` picks one of these fixed sentences.
A ``{}`` is filled with a ``detail`` only when it carries this process's signature, so a
crafted link cannot make the admin area say anything of its own."""

_MESSAGE_KEY = secrets.token_bytes(32)


def _signature(code: str, detail: str) -> str:
    return hmac.new(_MESSAGE_KEY, f"{code}\0{detail}".encode(), hashlib.sha256).hexdigest()


def _back(path: str, code: str, detail: str = "") -> RedirectResponse:
    """Redirect after a form, with a message code (and a signed detail for its ``{}``)."""
    query = {"msg": code}
    if detail:
        query |= {"detail": detail, "sig": _signature(code, detail)}
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


def message_of(request: Request) -> str:
    """The fixed message a ``?msg=`` code names, with its detail if that is signed."""
    template = MESSAGES.get(request.query_params.get("msg", ""))
    if template is None or "{}" not in template:
        return template or ""
    detail = request.query_params.get("detail", "")
    if not detail or not hmac.compare_digest(request.query_params.get("sig", ""),
                                             _signature(request.query_params["msg"], detail)):
        return ""
    return template.format(detail)


def routers(db: Database, settings: Any) -> list[APIRouter]:
    """The admin area's routes and its static files."""
    router = APIRouter(route_class=AdminRoute, include_in_schema=False)
    router.mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin-static")

    def render(request: Request, name: str, session: Session | None, status: int = 200,
               **context: Any) -> HTMLResponse:
        html = _ENV.get_template(name).render(
            session=session, site_title=settings.site_title, message=message_of(request),
            **context)
        return HTMLResponse(html, status_code=status)

    def staff(request: Request, form: FormData | None = None, role: str = "editor") -> Session:
        found = sessions.require(db, request, role)
        if form is not None:
            sessions.check_csrf(found, form)
        return found

    def audit(request: Request, session: Session, action: str, target: object = "",
              **detail: Any) -> None:
        record_action(db, session.user, action, str(target), access.client_address(request),
                      **detail)

    # --- login and logout ----------------------------------------------------------------

    @router.get("/admin/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        token = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or access.auth.new_secret()
        response = render(request, "login.html", None, title="Log in", csrf_token=token)
        sessions.set_cookie(response, request, sessions.LOGIN_CSRF_COOKIE, token, 3600)
        return response

    @router.post("/admin/login")
    def login(request: Request, form: Form) -> Response:
        expected = request.cookies.get(sessions.LOGIN_CSRF_COOKIE)
        if not access.auth.same(str(form.get("csrf_token") or ""), expected):
            raise Forbidden("the login form expired; reload the page and try again")
        address = access.client_address(request)
        try:
            user = access.check_password_login(db, str(form.get("name") or ""),
                                               str(form.get("password") or ""), address)
        except access.LoginRefused as refused:
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            response = render(request, "login.html", None, 429 if refused.retry_after else 401,
                              title="Log in", csrf_token=expected, error=str(refused),
                              retry_after=refused.retry_after)
            response.headers.update(headers)
            return response
        if not access.auth.role_at_least(user.role, "editor"):
            raise Forbidden("readers use reading apps; the desk is for editors and admins")
        response = RedirectResponse("/admin/sources", status_code=303)
        sessions.start_session(db, request, response, user.id, address)
        record_action(db, user, "session.login", user.name, address)
        return response

    @router.post("/admin/logout")
    def logout(request: Request, form: Form) -> Response:
        session = staff(request, form, "reader")
        response = RedirectResponse("/admin/login", status_code=303)
        sessions.end_session(db, request, response)
        audit(request, session, "session.logout", session.user.name)
        return response

    @router.get("/admin")
    def home(request: Request) -> Response:
        staff(request)
        return RedirectResponse("/admin/sources", status_code=303)

    # --- sources ---------------------------------------------------------------------------

    @router.get("/admin/sources", response_class=HTMLResponse)
    def sources_page(request: Request) -> HTMLResponse:
        session = staff(request)
        counts = article_store.article_counts(db)
        return render(request, "sources.html", session, title="Sources",
                      sources=source_store.list_sources(db), counts=counts)

    @router.post("/admin/sources")
    def add_source(request: Request, form: Form) -> Response:
        from broadsheet.sources import subscribe

        session = staff(request, form)
        url = str(form.get("url") or "").strip()
        if web_address(url) is None:
            return _back("/admin/sources", "need_http")
        try:
            source = subscribe(db, settings, url)
        except BroadsheetError as error:
            return _back("/admin/sources", "subscribe_failed", str(error))
        audit(request, session, "source.create", source.id, url=source.url)
        return _back(f"/admin/sources/{source.id}", "subscribed", source.title or source.url)

    @router.get("/admin/sources/export.opml")
    def export(request: Request) -> Response:
        from broadsheet.sources.opml import export_opml

        staff(request)
        return Response(export_opml(db), media_type="text/x-opml",
                        headers={"Content-Disposition": 'attachment; filename="sources.opml"'})

    @router.post("/admin/sources/import")
    async def import_sources(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from broadsheet.sources.opml import import_opml

        async with request.form() as form:  # closes the spooled upload, refused or not
            session = await run_in_threadpool(staff, request, form)
            upload = form.get("file")
            body = await upload.read() if hasattr(upload, "read") else b""
        try:
            added = await run_in_threadpool(import_opml, db, body)
        except BroadsheetError as error:
            return _back("/admin/sources", "import_failed", str(error))
        await run_in_threadpool(audit, request, session, "source.import", "", count=len(added))
        return _back("/admin/sources", "imported", str(len(added)))

    @router.get("/admin/sources/{source_id}", response_class=HTMLResponse)
    def source_page(request: Request, source_id: int) -> HTMLResponse:
        session = staff(request)
        source = source_store.get_source(db, source_id)
        days, plots = _plots(db)
        return render(request, "source.html", session, title=source.title or source.url,
                      source=source, rules={k: source.settings.get(k, "") for k in RULE_KEYS},
                      plot=plots.get(source.id), count=article_store.count_articles(
                          db, source.id),
                      time_plot=_time_plots(db, days).get(source.id))

    @router.post("/admin/sources/{source_id}")
    def save_source(request: Request, source_id: int, form: Form) -> Response:
        session = staff(request, form)
        source = source_store.get_source(db, source_id)
        changes, problems = _source_changes(source.settings, form)
        if problems:
            return _back(f"/admin/sources/{source_id}", "not_saved", "; ".join(problems))
        source_store.update_source(db, source_id, **changes)
        audit(request, session, "source.update", source_id,
              fields=sorted(k for k in changes if k != "settings"),
              settings=changes.get("settings"))
        return _back(f"/admin/sources/{source_id}", "saved")

    @router.post("/admin/sources/{source_id}/delete")
    def delete_source(request: Request, source_id: int, form: Form) -> Response:
        session = staff(request, form)
        source = source_store.get_source(db, source_id)
        source_store.delete_source(db, source_id)
        audit(request, session, "source.delete", source_id, url=source.url)
        return _back("/admin/sources", "deleted", source.title or source.url)

    # --- feed health -----------------------------------------------------------------------

    @router.get("/admin/health", response_class=HTMLResponse)
    def health(request: Request) -> HTMLResponse:
        session = staff(request)
        rows = source_store.list_sources(db)
        rows.sort(key=lambda s: (-s.error_count, s.last_success or dt.datetime.min.replace(
            tzinfo=dt.UTC), s.id))
        days, plots = _plots(db)
        return render(request, "health.html", session, title="Feed health", sources=rows,
                      plots=plots, time_plots=_time_plots(db, days), first_day=days[0],
                      last_day=days[-1])

    # --- articles --------------------------------------------------------------------------

    @router.get("/admin/articles", response_class=HTMLResponse)
    def articles_page(request: Request, source: int | None = None) -> HTMLResponse:
        session = staff(request)
        items = article_store.list_articles(db, 100, source_id=source, include_hidden=True)
        hidden = article_store.hidden_ids(db, [a.id for a in items])
        return render(request, "articles.html", session, title="Articles", articles=items,
                      hidden=hidden)

    @router.post("/admin/articles/{article_id}/reextract")
    def reextract(request: Request, article_id: int, form: Form) -> Response:
        session = staff(request, form)
        article = article_store.get_article(db, article_id, include_hidden=True)
        if article is None:
            return _back("/admin/articles", "no_article")
        outcome = reextract_article(db, settings, article)  # stores what it finds
        audit(request, session, "article.reextract", article_id, outcome=outcome[:300])
        return _back("/admin/articles", "reextracted", f"{article_id}: {outcome}")

    @router.post("/admin/articles/{article_id}/{action}")
    def article_action(request: Request, article_id: int, action: str, form: Form) -> Response:
        session = staff(request, form)
        if action not in ("hide", "show"):
            return _back("/admin/articles", "unknown_action")
        if not article_store.set_hidden(db, article_id, action == "hide"):
            return _back("/admin/articles", "no_article")
        audit(request, session, f"article.{action}", article_id)
        return _back("/admin/articles", "hidden" if action == "hide" else "shown",
                     str(article_id))

    # --- stories ---------------------------------------------------------------------------

    @router.get("/admin/stories", response_class=HTMLResponse)
    def stories_page(request: Request) -> HTMLResponse:
        session = staff(request)
        found = story_store.list_stories(db, 40)
        members: dict[int, list[Any]] = {s.id: [] for s in found}
        for story_id, article, duplicate_of in story_store.story_articles_for(
                db, [s.id for s in found]):
            members[story_id].append((article, duplicate_of))
        for rows in members.values():
            rows.sort(key=lambda pair: (pair[0].published, pair[0].id))
        return render(request, "stories.html", session, title="Stories", stories=found,
                      members=members)

    @router.post("/admin/stories/{story_id}/merge")
    def merge_story(request: Request, story_id: int, form: Form) -> Response:
        session = staff(request, form)
        raw = str(form.get("into") or "").strip()
        if not raw.isdigit():
            return _back("/admin/stories", "need_story")
        try:
            story_store.merge_stories(db, story_id, int(raw))
        except story_store.StoryEditError as error:
            return _back("/admin/stories", "failed", str(error))
        audit(request, session, "story.merge", story_id, into=int(raw))
        return _back("/admin/stories", "merged", f"{story_id} merged into story {int(raw)}")

    @router.post("/admin/stories/split/{article_id}")
    def split_story(request: Request, article_id: int, form: Form) -> Response:
        session = staff(request, form)
        try:
            new = story_store.split_article(db, article_id)
        except story_store.StoryEditError as error:
            return _back("/admin/stories", "failed", str(error))
        audit(request, session, "story.split", article_id, story=new)
        return _back("/admin/stories", "split", f"{article_id} is now story {new}")

    # --- outlet profiles ---------------------------------------------------------------------

    @router.get("/admin/outlets", response_class=HTMLResponse)
    def outlets_page(request: Request) -> HTMLResponse:
        session = staff(request)
        return render(request, "outlets.html", session, title="Outlets",
                      outlets=outlet_store.list_outlets(db), facts=outlet_store.FACTS)

    @router.post("/admin/outlets")
    def add_outlet(request: Request, form: Form) -> Response:
        session = staff(request, form)
        slug = str(form.get("slug") or "").strip().lower()
        name = str(form.get("name") or "").strip()[:200]
        if not SLUG.fullmatch(slug) or not name:
            return _back("/admin/outlets", "need_slug")
        if outlet_store.get_outlet(db, slug) is not None:
            return _back(f"/admin/outlets/{slug}", "outlet_exists", slug)
        outlet_store.save_outlet(db, outlet_store.Outlet(slug, name))
        audit(request, session, "outlet.create", slug, name=name)
        return _back(f"/admin/outlets/{slug}", "created", name)

    @router.get("/admin/outlets/{slug}", response_class=HTMLResponse)
    def outlet_page(request: Request, slug: str) -> HTMLResponse:
        session = staff(request)
        outlet = outlet_store.get_outlet(db, slug)
        if outlet is None:
            return render(request, "forbidden.html", session, 404, title="Not found",
                          message=f"No outlet {slug}")
        return render(request, "outlet.html", session, title=outlet.name, outlet=outlet,
                      facts=outlet_store.FACTS, ownership_types=outlet_store.OWNERSHIP_TYPES)

    @router.post("/admin/outlets/{slug}")
    def save_outlet(request: Request, slug: str, form: Form) -> Response:
        session = staff(request, form)
        outlet = outlet_store.get_outlet(db, slug)
        if outlet is None:
            return _back("/admin/outlets", "no_outlet")
        changed, problems = _outlet_changes(outlet, form)
        if problems:
            return _back(f"/admin/outlets/{slug}", "not_saved", "; ".join(problems))
        outlet_store.save_outlet(db, changed)
        audit(request, session, "outlet.update", slug,
              fields=[f for f in ("name", "domains", *outlet_store.FACTS)
                      if getattr(changed, f) != getattr(outlet, f)],
              citations=changed.citations)
        return _back(f"/admin/outlets/{slug}", "saved")

    # --- users, tokens, audit --------------------------------------------------------------

    @router.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request) -> HTMLResponse:
        session = staff(request, role="admin")
        return render(request, "users.html", session, title="Users",
                      users=user_store.list_users(db), roles=access.auth.ROLES)

    @router.post("/admin/users")
    def create_user(request: Request, form: Form) -> Response:
        session = staff(request, form, "admin")
        name, role = str(form.get("name") or ""), str(form.get("role") or "reader")
        try:
            user = accounts.create_account(db, name, role, str(form.get("password") or ""))
        except BroadsheetError as error:
            return _back("/admin/users", "failed", str(error))
        audit(request, session, "user.create", user.name, role=role)
        return _back("/admin/users", "created", user.name)

    @router.post("/admin/users/{user_id}/{action}")
    def user_action(request: Request, user_id: int, action: str, form: Form) -> Response:
        session = staff(request, form, "admin")
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
                return _back("/admin/users", "unknown_action")
        except BroadsheetError as error:
            return _back("/admin/users", "failed", str(error))
        detail = {"role": str(form.get("role"))} if action == "role" else {}
        audit(request, session, f"user.{action}", user.name, **detail)
        return _back("/admin/users", "done", f"{action} for {user.name}")

    @router.get("/admin/tokens", response_class=HTMLResponse)
    def tokens_page(request: Request) -> HTMLResponse:
        session = staff(request)
        mine = None if session.user.role == "admin" else session.user.id
        return render(request, "tokens.html", session, title="API tokens",
                      tokens=token_store.list_tokens(db, mine), new_token=None)

    @router.post("/admin/tokens")
    def create_token(request: Request, form: Form) -> Response:
        session = staff(request, form)
        label = str(form.get("label") or "").strip() or "token"
        token, token_id = access.issue_token(db, session.user, label)
        audit(request, session, "token.create", token_id, label=label)
        mine = None if session.user.role == "admin" else session.user.id
        response = render(request, "tokens.html", session, title="API tokens",
                          tokens=token_store.list_tokens(db, mine), new_token=token)
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.post("/admin/tokens/{token_id}/revoke")
    def revoke(request: Request, token_id: int, form: Form) -> Response:
        session = staff(request, form)
        try:
            token = token_store.get_token(db, token_id)
            if token.user_id != session.user.id and session.user.role != "admin":
                raise Forbidden("only admins may revoke other people's tokens")
            token_store.revoke_token(db, token_id)
        except BroadsheetError as error:
            return _back("/admin/tokens", "failed", str(error))
        audit(request, session, "token.revoke", token_id, owner=token.user_name)
        return _back("/admin/tokens", "revoked", str(token_id))

    @router.get("/admin/audit", response_class=HTMLResponse)
    def audit_page(request: Request) -> HTMLResponse:
        session = staff(request, role="admin")
        return render(request, "audit.html", session, title="Audit log",
                      entries=recent_actions(db))

    return [router]


SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def _outlet_changes(outlet: outlet_store.Outlet, form: FormData
                    ) -> tuple[outlet_store.Outlet, list[str]]:
    """The outlet as the edit form describes it, and what is wrong with the form."""
    from dataclasses import replace

    problems: list[str] = []
    name = str(form.get("name") or "").strip()[:200]
    if not name:
        problems.append("the name must not be empty")
    domains = tuple(dict.fromkeys(
        d for d in (outlet_store.normalize_domain(part)
                    for part in re.split(r"[\s,]+", str(form.get("domains") or ""))) if d))
    facts: dict[str, str | None] = {}
    citations: dict[str, str] = {}
    for fact in outlet_store.FACTS:
        facts[fact] = str(form.get(fact) or "").strip()[:200] or None
        cited = str(form.get(f"citation_{fact}") or "").strip()
        if not cited:
            continue
        if web_address(cited) != cited or len(cited) > 2000:
            problems.append(f"the citation for {fact} must be an http:// or https:// address")
        elif facts[fact] is None:
            problems.append(f"a citation for {fact} needs the {fact} itself")
        else:
            citations[fact] = cited
    return replace(outlet, name=name, domains=domains, citations=citations,
                   **facts), problems  # type: ignore[arg-type]


def _plots(db: Database) -> tuple[list[dt.date], dict[int, Any]]:
    """Articles added per day of each source, last 30 days, all on one scale."""
    days = days_back(utcnow().date())
    counts = article_store.articles_per_day(db, dt.datetime.combine(days[0], dt.time(),
                                                                    dt.UTC))
    top = nice_top(n for per_day in counts.values() for n in per_day.values())

    def chart(per_day: dict[str, int]) -> Any:
        return bar_chart([(d.isoformat(), per_day.get(d.isoformat(), 0)) for d in days],
                         label="Articles per day", unit="/day", top=top)

    return days, _Default({source_id: chart(per_day) for source_id, per_day in counts.items()},
                          chart({}))


def _time_plots(db: Database, days: list[dt.date]) -> dict[int, Any]:
    """Mean fetch time per day of each source (from the poll log), last 30 days, all on
    one scale."""
    from broadsheet.store.polls import fetch_seconds_per_day

    seconds = fetch_seconds_per_day(db, dt.datetime.combine(days[0], dt.time(), dt.UTC))
    top = nice_top(s for per_day in seconds.values() for s in per_day.values())

    def chart(per_day: dict[str, float]) -> Any:
        return fetch_time_chart([(d.isoformat(), per_day.get(d.isoformat())) for d in days],
                                top=top)

    return _Default({source_id: chart(per_day) for source_id, per_day in seconds.items()},
                    chart({}))


class _Default(dict):  # type: ignore[type-arg]
    """A dict answering ``default`` for missing keys (sources with no recent articles)."""

    def __init__(self, values: dict[int, Any], default: Any):
        super().__init__(values)
        self.default = default

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, self.default)


def _source_changes(current: dict[str, Any], form: FormData) -> tuple[dict[str, Any], list[str]]:
    """Validated changes from the source form: title, status, mode, poll bounds, rules."""
    problems: list[str] = []
    changes: dict[str, Any] = {"title": str(form.get("title") or "").strip()[:300]}
    status = str(form.get("status") or "active")
    if status not in ("active", "paused"):
        problems.append("status must be active or paused")
    changes["status"] = status
    mode = str(form.get("publishing_mode") or "")
    if mode not in ("", "full", "excerpt"):
        problems.append("publishing mode must be full or excerpt")
    changes["publishing_mode"] = mode or None
    settings = dict(current)
    for key in ("poll_min_interval", "poll_max_interval"):
        raw = str(form.get(key) or "").strip()
        if not raw:
            settings.pop(key, None)
        elif raw.isdigit() and 60 <= int(raw) <= 7 * 86400:
            settings[key] = int(raw)
        else:
            problems.append(f"{key.replace('_', ' ')} must be 60-604800 seconds")
    lowest, highest = settings.get("poll_min_interval"), settings.get("poll_max_interval")
    if lowest and highest and lowest > highest:
        problems.append("the shortest poll interval is longer than the longest")
    categories = [c.strip() for c in str(form.get("categories") or "").split(",") if c.strip()]
    settings["categories"] = categories
    for key in RULE_KEYS:
        value = str(form.get(key) or "").strip()
        if value:
            settings[key] = value[:500]
        else:
            settings.pop(key, None)
    changes["settings"] = settings
    return changes, problems
