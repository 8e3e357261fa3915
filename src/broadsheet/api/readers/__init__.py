"""APIs that existing reader apps already speak, over per-user read and starred state.

- ``greader``: the Google Reader API as FreshRSS and Miniflux implement it
  (``/accounts/ClientLogin``, ``/reader/api/0/...``), logging in with the API password;
- ``fever``: the Fever API (``/fever/`` and ``/api/fever.php``), keyed by
  md5("name:api password") — never the account password;
- ``miniflux``: the Miniflux ``/v1`` API for the parts apps use, with an API token
  (``X-Auth-Token``) or HTTP Basic with the account password.

Sources are shared by the whole desk; only editors and admins may add or remove them
through these APIs. Read and starred belong to each user. ``broadsheet.web.routes``
lists each protocol's addresses; each protocol answers errors in its own dialect,
``render``, which ``broadsheet.web.errors`` chooses by path.
"""
