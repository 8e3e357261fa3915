"""Sources: the list, subscribing, OPML in and out, one source's page, its settings and
extraction rules, deleting it."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.admin.charts import article_plots, fetch_time_plots
from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of, settings_of
from broadsheet.errors import BroadsheetError, SourceError
from broadsheet.settings import SourceSettings
from broadsheet.sources import subscribe
from broadsheet.sources.opml import export_opml, import_opml
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.types import Source, web_address

RULE_KEYS = ("extract_selector", "extract_remove")
"""Per-source extraction rules kept in ``sources.settings`` (CSS selectors)."""


def sources_page(request: Request) -> HTMLResponse:
    """Every source with its article count."""
    session = staff(request)
    db = db_of(request)
    counts = article_store.article_counts(db)
    return render(request, "sources.html", session, title="Sources",
                  sources=source_store.list_sources(db), counts=counts)


def add_source(request: Request, form: Form) -> Response:
    """Subscribe to a feed or site address (discovering its feed)."""
    session = staff(request, form)
    url = str(form.get("url") or "").strip()
    if web_address(url) is None:
        return back(request, "/admin/sources", "need_http")
    try:
        source = subscribe(db_of(request), settings_of(request), url)
    except BroadsheetError as error:
        return back(request, "/admin/sources", "subscribe_failed", str(error))
    audit(request, session, "source.create", source.id, url=source.url)
    return back(request, f"/admin/sources/{source.id}", "subscribed",
                source.title or source.url)


def export(request: Request) -> Response:
    """Every source as an OPML download."""
    staff(request)
    return Response(export_opml(db_of(request)), media_type="text/x-opml",
                    headers={"Content-Disposition": 'attachment; filename="sources.opml"'})


async def import_sources(request: Request) -> Response:
    """Subscribe to every feed of an uploaded OPML file."""
    async with request.form() as form:  # closes the spooled upload, refused or not
        session = await run_in_threadpool(staff, request, form)
        upload = form.get("file")
        body = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        added = await run_in_threadpool(import_opml, db_of(request), body)
    except BroadsheetError as error:
        return back(request, "/admin/sources", "import_failed", str(error))
    await run_in_threadpool(audit, request, session, "source.import", "", count=len(added))
    return back(request, "/admin/sources", "imported", str(len(added)))


def source_page(request: Request, source_id: int) -> HTMLResponse:
    """One source: its settings and rules, its article count and health charts."""
    session = staff(request)
    db = db_of(request)
    source = source_store.get_source(db, source_id)
    days, plots = article_plots(db)
    return render(request, "source.html", session, title=source.title or source.url,
                  source=source, rules={k: source.settings.get(k, "") for k in RULE_KEYS},
                  plot=plots.get(source.id), count=article_store.count_articles(
                      db, source.id),
                  time_plot=fetch_time_plots(db, days).get(source.id))


def save_source(request: Request, source_id: int, form: Form) -> Response:
    """Save the source form, or say what is wrong with it."""
    session = staff(request, form)
    db = db_of(request)
    source = source_store.get_source(db, source_id)
    changes, problems = _source_changes(source, form)
    if problems:
        return back(request, f"/admin/sources/{source_id}", "not_saved", "; ".join(problems))
    source_store.update_source(db, source_id, **changes)
    audit(request, session, "source.update", source_id,
          fields=sorted(k for k in changes if k != "settings"),
          settings=changes.get("settings"))
    return back(request, f"/admin/sources/{source_id}", "saved")


def delete_source(request: Request, source_id: int, form: Form) -> Response:
    """Unsubscribe and delete a source with its articles."""
    session = staff(request, form)
    db = db_of(request)
    source = source_store.get_source(db, source_id)
    source_store.delete_source(db, source_id)
    audit(request, session, "source.delete", source_id, url=source.url)
    return back(request, "/admin/sources", "deleted", source.title or source.url)


def _source_changes(source: Source, form: FormData) -> tuple[dict[str, Any], list[str]]:
    """Validated changes from the source form: title and status here, the source's
    settings (mode, poll bounds, categories, rules) by ``SourceSettings.apply``."""
    problems: list[str] = []
    changes: dict[str, Any] = {"title": str(form.get("title") or "").strip()[:300]}
    status = str(form.get("status") or "active")
    if status not in ("active", "paused"):
        problems.append("status must be active or paused")
    changes["status"] = status
    fields = ("publishing_mode", "poll_min_interval", "poll_max_interval", "categories",
              *RULE_KEYS)
    try:
        settings = SourceSettings.of(source).apply({k: str(form.get(k) or "") for k in fields})
        changes.update(settings.stored())
    except SourceError as error:
        problems.append(str(error))
    return changes, problems
