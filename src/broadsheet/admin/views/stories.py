"""Stories: the latest ones with their articles, merging two, splitting an article off."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broadsheet.admin.views._messages import back
from broadsheet.admin.views._page import Form, audit, render, staff
from broadsheet.admin.views._state import db_of
from broadsheet.errors import StoryEditError
from broadsheet.store import stories as story_store


def stories_page(request: Request) -> HTMLResponse:
    """The latest 40 stories, each with its articles oldest first."""
    session = staff(request)
    db = db_of(request)
    found = story_store.list_stories(db, 40)
    members: dict[int, list[Any]] = {s.id: [] for s in found}
    for story_id, article, duplicate_of in story_store.story_articles_for(
            db, [s.id for s in found]):
        members[story_id].append((article, duplicate_of))
    for rows in members.values():
        rows.sort(key=lambda pair: (pair[0].published, pair[0].id))
    return render(request, "stories.html", session, title="Stories", stories=found,
                  members=members)


def merge_story(request: Request, story_id: int, form: Form) -> Response:
    """Merge a story into the one the form names."""
    session = staff(request, form)
    raw = str(form.get("into") or "").strip()
    if not raw.isdigit():
        return back(request, "/admin/stories", "need_story")
    try:
        story_store.merge_stories(db_of(request), story_id, int(raw))
    except StoryEditError as error:
        return back(request, "/admin/stories", "failed", str(error))
    audit(request, session, "story.merge", story_id, into=int(raw))
    return back(request, "/admin/stories", "merged", f"{story_id} merged into story {int(raw)}")


def split_story(request: Request, article_id: int, form: Form) -> Response:
    """Take an article out of its story into a story of its own."""
    session = staff(request, form)
    try:
        new = story_store.split_article(db_of(request), article_id)
    except StoryEditError as error:
        return back(request, "/admin/stories", "failed", str(error))
    audit(request, session, "story.split", article_id, story=new)
    return back(request, "/admin/stories", "split", f"{article_id} is now story {new}")
