"""The admin area, ``/admin``: the desk editors and admins run the site from.

Server-rendered, no JavaScript; sessions in HttpOnly SameSite=Lax cookies, a CSRF
token in every form, every change by POST, every change written to the audit log.
"""
