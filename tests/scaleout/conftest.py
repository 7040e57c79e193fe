"""The scale-out tests start a real stack (nginx, gunicorn nodes, Redis, the outbox worker) and
drive it for a minute, so they run on their own: `pytest -m scaleout tests/scaleout` (.ci/run has
a step for them). In an ordinary `pytest` run they are skipped with that reason. Under CI a
missing prerequisite fails them: CI must never pass without having run them."""
from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

from deploy.stack import StackError, ensure_nginx

RUN_ON_THEIR_OWN = ("the scale-out tests start nginx, gunicorn nodes and Redis and run for minutes: "
                    "run them with `pytest -m scaleout tests/scaleout` (.ci/run does)")


def pytest_collection_modifyitems(config, items):
    if "scaleout" in (config.option.markexpr or ""):
        return
    for item in items:
        if "scaleout" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=RUN_ON_THEIR_OWN))


def missing(reason: str):
    """Outside CI, a machine without a prerequisite skips with the reason; in CI that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the scale-out tests, but {reason}")
    pytest.skip(reason)


def check_prerequisites() -> None:
    if shutil.which("redis-server") is None:
        missing("redis-server is not installed (apt-get install redis-server)")
    try:
        ensure_nginx()  # installs Debian's nginx when we are root, as on CI
    except (StackError, OSError) as exc:
        missing(str(exc))


def postgres_url() -> str:
    url = os.environ.get("SCALEOUT_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    if not url.startswith("postgres"):
        missing("two nodes need PostgreSQL: set SCALEOUT_DATABASE_URL (or TEST_DATABASE_URL) to a server URL, "
                "e.g. postgresql://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2).close()
    except OSError:
        missing(f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432}")
    return url
