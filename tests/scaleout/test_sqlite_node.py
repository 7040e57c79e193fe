"""One node on SQLite (gunicorn, several workers with several threads each): trainees saving the
same drafts at the same moment never see "database is locked" or a server error, and nothing they
were told is saved is lost (WAL and a busy timeout: app/extensions.py)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from deploy.stack import Stack
from tests.scaleout.conftest import check_prerequisites
from tests.scaleout.workload import Ledger, check_ledger, run_trainees

pytestmark = pytest.mark.scaleout

SECONDS = float(os.environ.get("SCALEOUT_SQLITE_SECONDS", "20"))


def test_concurrent_saves_on_sqlite_never_say_database_is_locked(tmp_path):
    check_prerequisites()
    with Stack(None, run_dir=tmp_path / "stack", nodes=1, workers=3, threads=4, trainees=20) as stack:
        engine = create_engine(stack.database_url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
            ledger = Ledger()
            emails = [f"load-{n:03d}@scaleout.example.org" for n in range(1, 21)]
            run_trainees(stack.url, str(stack.certificate), emails, racing=10, browsers_per_racer=3, seconds=SECONDS,
                         ledger=ledger)
            assert ledger.locked == [] and ledger.server_errors == [] and ledger.unexpected == []
            assert check_ledger(ledger, engine) == []
            # The races did happen (autosave, save or hand-in from a stale version), and work was handed in.
            assert sum(ledger.conflicts.values()) > 0 and ledger.hand_ins
        finally:
            engine.dispose()
