"""The site's pages: one module per kind of page, each handler a plain function.

Handlers take FastAPI's parameters and reach the database, the settings and the
renderer through the request (``site_of(request)``); ``broadsheet.web.routes`` lists
them with their addresses. Nothing changes state on GET except the view beacon
(``popularity.py`` says why a beacon).
"""
