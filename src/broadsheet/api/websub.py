"""The WebSub callback: hubs verify our subscriptions here and push new content.

``GET /websub/{source_id}/{token}`` echoes the challenge only for a pending subscription
we requested, at the callback address we gave its hub (the token derives from the
subscription's secret); ``POST`` there takes a signed push (``POST /websub/{source_id}``
too, for leases granted before callbacks had tokens). A push whose signature does not match
is acknowledged and ignored, as the WebSub specification asks (a forger learns nothing),
and recorded on the subscription. Without a ``base_url`` no route is mounted
(``broadsheet.web.routes``: ``WEBSUB``).
"""

from __future__ import annotations

import asyncio
from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from broadsheet.api.deps import database, settings_of
from broadsheet.sources import websub
from broadsheet.store import websub as websub_store
from broadsheet.update.websub_push import receive_push


async def _read_body(request: Request, limit: int) -> bytes | None:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


async def verify(source_id: int, token: str, request: Request) -> Response:
    """Echo a hub's challenge for a pending subscription we asked for, else 404."""
    params = dict(request.query_params)
    challenge = await asyncio.to_thread(websub.verify_intent, database(request), source_id,
                                        params, token=token)
    if challenge is None:
        return PlainTextResponse("websub: no such subscription request", status_code=404)
    return PlainTextResponse(challenge)


async def push(source_id: int, token: str, request: Request) -> Response:
    """Take a push at the callback address we gave the source's hub."""
    subscription = await asyncio.to_thread(websub_store.get_subscription, database(request),
                                           source_id)
    if subscription is not None and not websub.callback_matches(subscription, token):
        return PlainTextResponse("websub: no such callback", status_code=404)
    return await _take_push(source_id, request)


async def push_untokened(source_id: int, request: Request) -> Response:
    """Take a push for a lease granted before callbacks carried a token (signed all the
    same)."""
    return await _take_push(source_id, request)


async def _take_push(source_id: int, request: Request) -> Response:
    settings = settings_of(request)
    body = await _read_body(request, settings.max_body_bytes)
    if body is None:
        return PlainTextResponse("websub: body too large", status_code=413)
    outcome = await receive_push(database(request), settings, source_id, body,
                                 request.headers.get("content-type", ""),
                                 request.headers.get("x-hub-signature"))
    if outcome.status == "unknown":  # 410 tells the hub to stop sending
        return PlainTextResponse("websub: no such subscription", status_code=410)
    return Response(status_code=202)

