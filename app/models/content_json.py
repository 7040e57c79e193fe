"""The `translations` column of content rows: JSON decoded once per distinct stored value.

Every content row carries all five languages' overlays (an activity's are about 17 kB), and the
pages load every activity of the programme: decoding them on each request was about 40 % of the
trainee home. The stored text changes only on a content import, so the decoded value is memoised
by the text itself — a changed row is a different key, which makes the cache safe across workers
and imports without any invalidation. The decoded dicts are shared between rows and requests:
the importer always assigns a whole new dict, and readers (app/localized.py) never write."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Text, cast, type_coerce
from sqlalchemy.types import TypeDecorator

#: Distinct stored values kept: the programme's rows, several imports' worth.
CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
def _decoded(text: str) -> Any:
    return json.loads(text)


def _process(value: Any) -> Any:
    if isinstance(value, str):
        return _decoded(value)
    return value  # a driver that decoded it already


class ContentJSON(TypeDecorator):
    """JSON in the schema (migrations and autogenerate see plain JSON); read as text and decoded
    through the memo above."""
    impl = JSON
    cache_ok = True

    def column_expression(self, column):
        # PostgreSQL's driver would decode json itself, before the memo could help.
        return type_coerce(cast(column, Text), self)

    def result_processor(self, dialect, coltype):
        return _process

    def coerce_compared_value(self, op, value):
        return self.impl_instance.coerce_compared_value(op, value)
