"""The JSON API, ``/api/v1``: sources, articles, search, stories and outlet profiles; read by
anyone, written with a token.

One module per entity; ``broadsheet.web.routes`` lists their addresses (the ``API_V1``
table, with each route's summary and response model), the catch-all last so unknown
addresses and methods under ``/api/v1`` answer JSON, not site pages. Every error leaves in
the one shape of ``broadsheet.api.errors``; the OpenAPI document at ``/api/openapi.json``
is built from the application's routes under ``/api/v1/`` (``docs.openapi_document``).
"""

from broadsheet.api.v1 import articles, docs, me, search, sources, stories

__all__ = ["articles", "docs", "me", "search", "sources", "stories"]
