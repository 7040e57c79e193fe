"""The app as the benchmark serves it: the real app, plus a count of the SQL statements each
request ran, in an `X-Bench-Queries` response header. Only bench/run.py starts this module; the
app itself never counts (wsgi.py is what production serves)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

flask_app = create_app()
_count = [0]

with flask_app.app_context():
    event.listen(db.engine, "before_cursor_execute", lambda *args: _count.__setitem__(0, _count[0] + 1))


def app(environ, start_response):
    """Sync workers serve one request at a time, so one counter per process is exact."""
    _count[0] = 0

    def counting_start_response(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-Queries", str(_count[0]))], exc_info)

    return flask_app.wsgi_app(environ, counting_start_response)
