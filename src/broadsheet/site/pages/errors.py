"""The site's error pages: the dialect ``broadsheet.web`` answers errors in for the
readers' pages, and for any path no other area claims."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from broadsheet.site.render import site_of

UNEXPECTED = "The page could not be made; please try again shortly."
"""What a page says when it fails for a reason of ours (the error itself is logged)."""


def answer(request: Request, status: int, message: str) -> Response:
    """An error page: "Page not found" for a 404, else ``message`` with ``status``."""
    site = site_of(request)
    if status == 404:
        return site.page(request, "404.html", status=404, title="Page not found",
                         path=request.url.path)
    return site.page(request, "error.html", status=status, title="Error", message=message)
