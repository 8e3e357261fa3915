"""Feed health: every source, failing ones first, with its charts of the last 30 days."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import HTMLResponse

from broadsheet.admin.charts import article_plots, fetch_time_plots
from broadsheet.admin.views._page import render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.store import sources as source_store


def health(request: Request) -> HTMLResponse:
    """Sources by error count, then longest without a success, with their charts."""
    session = staff(request)
    db = db_of(request)
    rows = source_store.list_sources(db)
    rows.sort(key=lambda s: (-s.error_count, s.last_success or dt.datetime.min.replace(
        tzinfo=dt.UTC), s.id))
    days, plots = article_plots(db)
    return render(request, "health.html", session, title="Feed health", sources=rows,
                  plots=plots, time_plots=fetch_time_plots(db, days), first_day=days[0],
                  last_day=days[-1])
