"""The one web application: the readers' site, the admin area and the APIs together.

``broadsheet serve`` and ``broadsheet run`` serve what ``make_web_app`` returns;
``web/routes.py`` is the one route table and ``web/errors.py`` the one way errors are
answered. Nothing but the entry points imports this package.
"""

from broadsheet.web.app import make_web_app

__all__ = ["make_web_app"]
