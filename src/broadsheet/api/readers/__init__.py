"""APIs that existing reader apps already speak, over per-user read and starred state.

- ``greader``: the Google Reader API as FreshRSS and Miniflux implement it
  (``/accounts/ClientLogin``, ``/reader/api/0/...``), logging in with the API password;
- ``fever``: the Fever API (``/fever/`` and ``/api/fever.php``), keyed by
  md5("name:api password") — never the account password;
- ``miniflux``: the Miniflux ``/v1`` API for the parts apps use, with an API token
  (``X-Auth-Token``) or HTTP Basic with the account password.

Sources are shared by the whole desk; only editors and admins may add or remove them
through these APIs. Read and starred belong to each user. Each protocol module lists its
routes in ``ROUTES`` and answers errors in its own dialect, ``render``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from broadsheet.store import Database


def routers(db: Database, settings: Any) -> list[APIRouter]:
    """The three reader-client APIs."""
    from broadsheet.api.readers import fever, greader, miniflux

    return [*greader.routers(db, settings), *fever.routers(db, settings),
            *miniflux.routers(db, settings)]
