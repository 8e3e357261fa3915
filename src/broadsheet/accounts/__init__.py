"""Accounts: who may do what, shared by the APIs, the admin area and the command line.

``auth`` holds the pure rules (Argon2id hashing, secrets, roles, login back-off),
``access`` checks who is calling (throttled password logins, tokens, the caller's
address) and ``users`` creates and changes accounts. Below the web layers, above the store.
"""
