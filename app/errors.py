"""Domain errors for "not there" and "not allowed". Services and access rules raise them instead of
calling `abort()`, so they stay usable outside a request (CLI, demo seeding, tests); app/web.py maps
them to the same 404 and 403 pages `abort()` gives."""
from __future__ import annotations


class NotFound(Exception):
    """Nothing the user may see is there (also used so a private thing's existence is not revealed)."""


class Forbidden(Exception):
    """The thing exists and the user may know it, but may not see or do this."""
