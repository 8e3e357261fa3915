"""The sentence a page shows after a form: a fixed message picked by a code in the address.

A form answers with a redirect to ``?msg=<code>``; the page it leads to shows one of the
fixed sentences in ``MESSAGES``. A ``{}`` is filled with a ``detail`` only when it carries
this application's signature, so a crafted link cannot make the admin area say anything of
its own.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse

from broadsheet.admin.views._state import admin_of

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
"""What a page may say after a form: ``?msg=<code>`` picks one of these fixed sentences."""


def _signature(key: bytes, code: str, detail: str) -> str:
    return hmac.new(key, f"{code}\0{detail}".encode(), hashlib.sha256).hexdigest()


def back(request: Request, path: str, code: str, detail: str = "") -> RedirectResponse:
    """Redirect after a form, with a message code (and a signed detail for its ``{}``)."""
    query = {"msg": code}
    if detail:
        query |= {"detail": detail,
                  "sig": _signature(admin_of(request).message_key, code, detail)}
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


def message_of(request: Request) -> str:
    """The fixed message a ``?msg=`` code names, with its detail if that is signed."""
    template = MESSAGES.get(request.query_params.get("msg", ""))
    if template is None or "{}" not in template:
        return template or ""
    detail = request.query_params.get("detail", "")
    expected = _signature(admin_of(request).message_key, request.query_params["msg"], detail)
    if not detail or not hmac.compare_digest(request.query_params.get("sig", ""), expected):
        return ""
    return template.format(detail)
