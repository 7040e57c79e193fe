"""`column IN (ids)` for long lists of integer ids (a page's 1,000 trainees, 300 meetings).

SQLAlchemy sends an IN list as one bound parameter per id, so the statement's text changes with
the list's length: psycopg parses such a statement's placeholders afresh on every execution (it
caches only statements of at most 50 parameters and 4 kB; a 1,000-id statement took ~15 ms of
parsing alone) and PostgreSQL plans it afresh. On PostgreSQL the list goes as ONE array
parameter instead (`column = ANY(%(ids)s::INTEGER[])`: the same rows as IN); SQLite, which has
no arrays, keeps the IN list."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from .extensions import db


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids`, as one array parameter on PostgreSQL."""
    values = list(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    return column.in_(values)
