"""A run's dashboard and report figures kept for a short while per worker (app/figures_cache.py):
reused by the next request, dropped by any write this process commits, renewed after
FIGURES_MAX_AGE for writes made elsewhere (another worker, a command), and never shared between
users who see different cohorts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update

from app import figures_cache
from app.extensions import db
from app.figures_cache import writes_figures
from app.models import CohortRole, User

from .csv_columns import csv_dicts
from .programme_data import build_programme, complete
from .queries import counted_queries


def _cohort_rows(client, run_id: int) -> dict[str, dict]:
    from app.dashboard.tables import LABELS
    response = client.get(f"/dashboard/cohorts.csv?run={run_id}")
    assert response.status_code == 200
    return {r["cohort"]: r for r in csv_dicts(response.get_data(as_text=True), LABELS)}


@pytest.fixture
def finished_trainee(world):
    built = build_programme(run=world.run, slug="kept")
    for activity in built.activities:
        complete(world.trainee, activity)
    db.session.commit()
    return built


def test_the_next_request_reuses_the_figures_and_says_when_they_were_made(client, world, login, finished_trainee):
    login(world.transnational_coordinator)
    first = client.get("/dashboard/")
    assert first.status_code == 200 and "Figures as of" in first.get_data(as_text=True)
    with counted_queries() as made:
        client.get(f"/dashboard/?run={world.run.id}&country=")
    with counted_queries() as reused:
        second = client.get("/dashboard/")
    assert second.status_code == 200
    # The same page from kept figures: none of the statements that sum the trainees' work.
    assert not any("completion" in s.lower() for s in reused), reused
    assert len(reused) < len(made)


def test_a_write_committed_in_this_process_drops_the_kept_figures(client, world, login, finished_trainee):
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    db.session.execute(update(User).where(User.id == world.trainee.id).values(active=False))
    db.session.commit()
    sweden = _cohort_rows(client, world.run.id)["Sweden pilot"]
    assert (sweden["finished"], sweden["dropped"]) == ("0", "1")


def test_a_write_made_elsewhere_shows_once_the_figures_are_older_than_the_limit(
        app, client, world, login, finished_trainee, monkeypatch):
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    # Another worker's write: through an engine of its own, which this process never hears of.
    elsewhere = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with elsewhere.begin() as conn:
            conn.execute(update(User.__table__).where(User.__table__.c.id == world.trainee.id).values(active=False))
    finally:
        elsewhere.dispose()
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"   # still the kept set
    later = figures_cache.time.monotonic() + app.config["FIGURES_MAX_AGE"] + 1
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: later)
    sweden = _cohort_rows(client, world.run.id)["Sweden pilot"]
    assert (sweden["finished"], sweden["dropped"]) == ("0", "1")


def test_users_who_see_other_cohorts_never_get_each_others_figures(client, world, login, finished_trainee):
    login(world.transnational_coordinator)
    assert "Norway pilot" in _cohort_rows(client, world.run.id)
    client.post("/logout")
    login(world.national_coordinator)
    rows = _cohort_rows(client, world.run.id)
    assert "Sweden pilot" in rows and "Norway pilot" not in rows


def test_the_report_uses_the_kept_figures_too(client, world, login, finished_trainee, factory):
    login(world.transnational_coordinator)
    assert client.get("/dashboard/report").status_code == 200
    with counted_queries() as reused:
        page = client.get("/dashboard/report")
    assert page.status_code == 200 and "Sweden pilot" in page.get_data(as_text=True)
    assert not any("completion" in s.lower() for s in reused), reused
    # A new trainee enrolled in this process counts at once.
    factory.enrolled(world.cohort, CohortRole.TRAINEE, "Nils Newcomer")
    db.session.commit()
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["trainees"] == "2"


def test_with_no_age_allowed_every_request_makes_its_figures(app, client, world, login, finished_trainee, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_MAX_AGE", 0)
    login(world.transnational_coordinator)
    client.get("/dashboard/")
    with counted_queries() as again:
        client.get("/dashboard/")
    assert any("completion" in s.lower() for s in again)


@pytest.mark.parametrize("statement, changes", [
    ("SELECT user.id FROM user", False),
    ("  select 1", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("RELEASE SAVEPOINT sa_savepoint_1", False),
    ('UPDATE user_session SET last_seen_at=%(x)s WHERE user_session.id = %(y)s', False),
    ("INSERT INTO audit_event (action) VALUES (?)", False),
    ('INSERT INTO "completion" (user_id) VALUES (?)', True),
    ("UPDATE attendance SET present=?", True),
    ("DELETE FROM membership WHERE id = ?", True),
    ("WITH moved AS (SELECT 1) UPDATE completion SET state = 'done'", True),
    ("WITH counted AS (SELECT 1) SELECT * FROM counted", False),
    ("TRUNCATE completion", True),
    ("COPY completion FROM STDIN", True),
])
def test_which_statements_drop_the_kept_figures(statement, changes):
    assert writes_figures(statement) is changes


def test_a_write_committed_while_figures_are_made_keeps_none_of_them(app, client, world, login, finished_trainee,
                                                                      monkeypatch):
    """Figures read before a write committed would be out of date as soon as they are kept."""
    from app.services import dashboard
    login(world.transnational_coordinator)
    made = dashboard._numbers

    def numbers_then_a_write(*args, **kwargs):
        found = made(*args, **kwargs)
        figures_cache._store_of(db.engine).drop_all()   # what a commit of another thread does
        return found
    monkeypatch.setattr(dashboard, "_numbers", numbers_then_a_write)
    client.get("/dashboard/")
    monkeypatch.setattr(dashboard, "_numbers", made)
    with counted_queries() as again:
        client.get("/dashboard/")
    assert any("completion" in s.lower() for s in again)


def test_nothing_is_kept_beyond_the_day(client, world, login, finished_trainee, monkeypatch):
    """The key holds the day: at midnight the figures are made for the new day."""
    from app.services import meetings as meetings_service
    login(world.transnational_coordinator)
    client.get("/dashboard/")
    today = meetings_service.today_for
    monkeypatch.setattr(meetings_service, "today_for", lambda user: today(user) + timedelta(days=1))
    with counted_queries() as next_day:
        client.get("/dashboard/")
    assert any("completion" in s.lower() for s in next_day)
