"""Articles: the latest ones (hidden included), hiding and showing, extracting again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of, settings_of
from broadsheet.store import articles as article_store
from broadsheet.update.reextract import reextract_article


def articles_page(request: Request, source: int | None = None) -> HTMLResponse:
    """The latest 100 articles, of one source if ``?source=`` names it."""
    session = staff(request)
    db = db_of(request)
    items = article_store.list_articles(db, 100, source_id=source, include_hidden=True)
    hidden = article_store.hidden_ids(db, [a.id for a in items])
    return render(request, "articles.html", session, title="Articles", articles=items,
                  hidden=hidden)


def reextract(request: Request, article_id: int, form: Form) -> Response:
    """Fetch and extract an article's page again, storing what it finds."""
    session = staff(request, form)
    db = db_of(request)
    article = article_store.get_article(db, article_id, include_hidden=True)
    if article is None:
        return back(request, "/admin/articles", "no_article")
    outcome = reextract_article(db, settings_of(request), article)  # stores what it finds
    audit(request, session, "article.reextract", article_id, outcome=outcome[:300])
    return back(request, "/admin/articles", "reextracted", f"{article_id}: {outcome}")


def article_action(request: Request, article_id: int, action: str, form: Form) -> Response:
    """Hide an article from readers everywhere, or show it again."""
    session = staff(request, form)
    if action not in ("hide", "show"):
        return back(request, "/admin/articles", "unknown_action")
    if not article_store.set_hidden(db_of(request), article_id, action == "hide"):
        return back(request, "/admin/articles", "no_article")
    audit(request, session, f"article.{action}", article_id)
    return back(request, "/admin/articles", "hidden" if action == "hide" else "shown",
                str(article_id))
