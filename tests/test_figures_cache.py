"""A run's dashboard and report figures kept for a short while per worker (app/figures_cache.py):
reused by the next request, made again once older than FIGURES_MAX_AGE, said to be of the time
they were made, never shared between users who see different cohorts, and forgotten at once
after an erasure."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import figures_cache
from app.extensions import db
from app.models import CohortRole, User

from .csv_columns import csv_dicts
from .programme_data import build_programme, complete
from .queries import counted_queries


def _cohort_rows(client, run_id: int) -> dict[str, dict]:
    from app.dashboard.tables import LABELS
    response = client.get(f"/dashboard/cohorts.csv?run={run_id}")
    assert response.status_code == 200
    rows = {r["cohort"]: r for r in csv_dicts(response.get_data(as_text=True), LABELS)}
    response.close()  # as a server does once the response has gone out (call_on_close)
    return rows


def _read(client, path: str, **kwargs) -> int:
    response = client.get(path, **kwargs)
    response.close()
    return response.status_code


@pytest.fixture(autouse=True)
def _kept_a_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_MAX_AGE", 60)
    monkeypatch.setitem(app.config, "FIGURES_KEEP_AFTER_MS", 0)  # the test data are made in milliseconds
    yield
    figures_cache.forget_all()


def _later_by(monkeypatch, seconds: float) -> None:
    """The clocks of every worker move on: this one's, and the made-at times of the shared sets."""
    later = figures_cache.time.monotonic() + seconds
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: later)
    wall = figures_cache.utcnow() + timedelta(seconds=seconds)
    monkeypatch.setattr(figures_cache, "utcnow", lambda: wall)


def _a_minute_later(app, monkeypatch) -> None:
    _later_by(monkeypatch, app.config["FIGURES_MAX_AGE"] + 1)


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


def test_a_write_shows_once_the_figures_are_older_than_the_limit(app, client, world, login, finished_trainee,
                                                                   monkeypatch):
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    db.session.execute(update(User).where(User.id == world.trainee.id).values(active=False))
    db.session.commit()
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"   # still the kept set
    _a_minute_later(app, monkeypatch)
    sweden = _cohort_rows(client, world.run.id)["Sweden pilot"]
    assert (sweden["finished"], sweden["dropped"]) == ("0", "1")


def test_users_who_see_other_cohorts_never_get_each_others_figures(client, world, login, finished_trainee):
    login(world.transnational_coordinator)
    assert "Norway pilot" in _cohort_rows(client, world.run.id)
    client.post("/logout")
    login(world.national_coordinator)
    rows = _cohort_rows(client, world.run.id)
    assert "Sweden pilot" in rows and "Norway pilot" not in rows


def test_the_report_uses_the_kept_figures_too(app, client, world, login, finished_trainee, factory, monkeypatch):
    login(world.transnational_coordinator)
    assert client.get("/dashboard/report").status_code == 200
    with counted_queries() as reused:
        page = client.get("/dashboard/report")
    assert page.status_code == 200 and "Sweden pilot" in page.get_data(as_text=True)
    assert not any("completion" in s.lower() for s in reused), reused
    factory.enrolled(world.cohort, CohortRole.TRAINEE, "Nils Newcomer")
    db.session.commit()
    _a_minute_later(app, monkeypatch)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["trainees"] == "2"


def test_an_erased_trainee_leaves_the_kept_figures_at_once(client, world, login, finished_trainee, factory):
    from app.services import privacy
    newcomer = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Nils Newcomer")
    db.session.commit()
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["trainees"] == "2"
    privacy.erase(db.session.get(User, newcomer.id), by=db.session.get(User, world.admin.id))
    db.session.commit()
    # Erasure deletes the memberships: the trainee is gone from the figures on the next request.
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["trainees"] == "1"


def test_with_no_age_allowed_every_request_makes_its_figures(app, client, world, login, finished_trainee, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_MAX_AGE", 0)
    login(world.transnational_coordinator)
    client.get("/dashboard/")
    with counted_queries() as again:
        client.get("/dashboard/")
    assert any("completion" in s.lower() for s in again)


def test_figures_dropped_while_being_made_are_not_kept(app, client, world, login, finished_trainee, monkeypatch):
    """An erasure while a set is being made: that set may still name the erased trainee."""
    from app.services import dashboard
    login(world.transnational_coordinator)
    made = dashboard._numbers

    def numbers_then_an_erasure(*args, **kwargs):
        found = made(*args, **kwargs)
        figures_cache.forget_all()
        return found
    monkeypatch.setattr(dashboard, "_numbers", numbers_then_an_erasure)
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




def test_a_set_past_most_of_its_age_is_used_and_made_again_after_the_response(app, client, world, login,
                                                                             finished_trainee, monkeypatch, caplog):
    # As on a real server: no SERVER_NAME, so links can be built only in a request's context.
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    db.session.execute(update(User).where(User.id == world.trainee.id).values(active=False))
    db.session.commit()
    _later_by(monkeypatch, app.config["FIGURES_MAX_AGE"] * 0.85)
    # This reader gets the kept set at once; the set is made again once the response has gone.
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    with counted_queries() as next_read:
        sweden = _cohort_rows(client, world.run.id)["Sweden pilot"]
    assert (sweden["finished"], sweden["dropped"]) == ("0", "1")
    assert not any("completion" in s.lower() for s in next_read)
    assert "could not be renewed" not in caplog.text


def test_the_report_is_made_again_in_its_readers_language(app, client, world, login, finished_trainee, monkeypatch):
    from app.services import report
    languages = []
    made = report._evaluation

    def noting_the_language(*args):
        from flask_babel import get_locale
        languages.append(str(get_locale()))
        return made(*args)
    monkeypatch.setattr(report, "_evaluation", noting_the_language)
    login(world.transnational_coordinator)
    assert _read(client, "/dashboard/report", headers={"Accept-Language": "it"}) == 200
    _later_by(monkeypatch, app.config["FIGURES_MAX_AGE"] * 0.85)
    assert _read(client, "/dashboard/report", headers={"Accept-Language": "it"}) == 200
    assert len(languages) == 2 and len(set(languages)) == 1, languages


def test_a_renewal_that_fails_leaves_the_kept_set_and_a_log_line(app, client, world, login, finished_trainee,
                                                                  monkeypatch, caplog):
    from app.services import dashboard
    login(world.transnational_coordinator)
    client.get("/dashboard/")

    def broken(*_args):
        raise LookupError("gone")
    monkeypatch.setattr(dashboard, "_numbers_of", broken)
    _later_by(monkeypatch, app.config["FIGURES_MAX_AGE"] * 0.85)
    assert _read(client, "/dashboard/") == 200
    assert "could not be renewed" in caplog.text
    with counted_queries() as again:
        assert client.get("/dashboard/").status_code == 200
    assert not any("completion" in s.lower() for s in again)   # the kept set, until it ages out


def test_a_young_set_is_not_made_again(app, client, world, login, finished_trainee, monkeypatch):
    login(world.transnational_coordinator)
    _cohort_rows(client, world.run.id)
    db.session.execute(update(User).where(User.id == world.trainee.id).values(active=False))
    db.session.commit()
    _later_by(monkeypatch, app.config["FIGURES_MAX_AGE"] * 0.3)
    _cohort_rows(client, world.run.id)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"


def _another_worker() -> None:
    """What a second worker process has: nothing of this one's memory, the same database."""
    figures_cache._store_of(db.engine).drop_all()


def test_a_worker_without_the_figures_reads_the_set_another_worker_shared(client, world, login, finished_trainee):
    login(world.transnational_coordinator)
    assert _read(client, "/dashboard/") == 200    # made here, shared once the response has gone
    _another_worker()
    with counted_queries() as read:
        assert _read(client, "/dashboard/") == 200
    assert any("kept_figures" in s for s in read)
    assert not any("completion" in s.lower() for s in read), read


def test_a_shared_set_that_does_not_verify_is_ignored(client, world, login, finished_trainee, caplog):
    from app.models import KeptFigures
    login(world.transnational_coordinator)
    _read(client, "/dashboard/")
    row = db.session.scalars(select(KeptFigures)).one()
    row.value = bytes(row.value[:32]) + b"\x80\x05N."   # a valid pickle (None) under the old seal
    db.session.commit()
    _another_worker()
    with counted_queries() as again:
        assert _read(client, "/dashboard/") == 200
    assert any("completion" in s.lower() for s in again)
    assert "does not verify" in caplog.text


def test_a_shared_set_older_than_the_limit_is_made_again(app, client, world, login, finished_trainee):
    from app.models import KeptFigures
    login(world.transnational_coordinator)
    _read(client, "/dashboard/")
    row = db.session.scalars(select(KeptFigures)).one()
    row.made_at -= timedelta(seconds=app.config["FIGURES_MAX_AGE"] + 1)
    db.session.commit()
    _another_worker()
    with counted_queries() as again:
        assert _read(client, "/dashboard/") == 200
    assert any("completion" in s.lower() for s in again)


def test_sets_past_their_age_leave_the_shared_table(app, client, world, login, finished_trainee):
    """Each day and each choice of cohorts is a key of its own: yesterday's sets must not pile up."""
    from app.models import KeptFigures
    from app.timeutil import utcnow
    db.session.add(KeptFigures(slot="0" * 64, value=b"old",
                               made_at=utcnow() - timedelta(seconds=app.config["FIGURES_MAX_AGE"] + 1)))
    db.session.add(KeptFigures(slot="1" * 64, value=b"young", made_at=utcnow()))
    db.session.commit()
    login(world.transnational_coordinator)
    assert _read(client, "/dashboard/") == 200
    slots = set(db.session.scalars(select(KeptFigures.slot)))
    assert "0" * 64 not in slots and "1" * 64 in slots and len(slots) == 2


def test_figures_quick_to_make_are_never_kept(app, client, world, login, finished_trainee, monkeypatch):
    """A pilot's dashboard is made in milliseconds: it stays exact after every save."""
    monkeypatch.setitem(app.config, "FIGURES_KEEP_AFTER_MS", 60_000)
    login(world.transnational_coordinator)
    assert _cohort_rows(client, world.run.id)["Sweden pilot"]["finished"] == "1"
    db.session.execute(update(User).where(User.id == world.trainee.id).values(active=False))
    db.session.commit()
    sweden = _cohort_rows(client, world.run.id)["Sweden pilot"]
    assert (sweden["finished"], sweden["dropped"]) == ("0", "1")
    from app.models import KeptFigures
    assert db.session.scalar(select(KeptFigures.slot)) is None
