"""The web APIs: the JSON API (``v1``), the reader-client APIs (``readers``), ``metrics``
and the WebSub callback (``websub``).

Handlers are module-level functions that reach the database and settings only through
the request (``deps``); each protocol lists its routes in one flat table, ``ROUTES``.
"""
