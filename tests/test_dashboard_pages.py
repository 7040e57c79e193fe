"""The dashboard's tables show COHORTS_PER_PAGE cohorts at a time (a run of hundreds of cohorts
was a page of megabytes); the charts of hours and progress and every CSV file cover them all, and
any page number a user writes gives a page, never an error."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.dashboard.tables import LABELS
from app.extensions import db
from app.services import dashboard
from app.timeutil import utcnow

from .csv_columns import csv_dicts
from .programme_data import build_programme, complete, meeting


@pytest.fixture
def one_per_page(monkeypatch, world):
    monkeypatch.setattr(dashboard, "COHORTS_PER_PAGE", 1)
    built = build_programme(run=world.run, slug="paged")
    complete(world.trainee, built.activities[0])
    meeting(world.cohort, built.plans[0], utcnow().date() - timedelta(days=2), attended_by=[world.trainee])
    meeting(world.other_cohort, built.plans[0], utcnow().date() - timedelta(days=1), attended_by=[])
    db.session.commit()
    return built


def _table(page: str, heading_id: str) -> str:
    section = page[page.index(f'id="{heading_id}"'):]
    return section[:section.index("</section>")]


def test_each_page_shows_its_cohorts_and_their_meetings(client, world, login, one_per_page):
    login(world.transnational_coordinator)
    first = client.get("/dashboard/").get_data(as_text=True)
    # In the order of country and name: Norway, Sweden, then the transnational cohort.
    assert "Norway pilot" in _table(first, "cohorts-h") and "Sweden pilot" not in _table(first, "cohorts-h")
    assert "Showing 1–1 of 3." in first and 'aria-label="Pages of cohorts"' in first
    second = client.get(f"/dashboard/?run={world.run.id}&page=2").get_data(as_text=True)
    assert "Sweden pilot" in _table(second, "cohorts-h") and "Norway pilot" not in _table(second, "cohorts-h")
    meetings = _table(second, "meetings-h")
    assert "Sweden pilot" in meetings and "Norway pilot" not in meetings
    # The links keep the filters.
    assert re.search(r'href="/dashboard/\?run=\d+&amp;page=3"', second)


def test_the_csv_files_and_the_charts_cover_every_cohort(client, world, login, one_per_page):
    login(world.transnational_coordinator)
    page = client.get("/dashboard/?page=3").get_data(as_text=True)
    assert 'id="progress-chart-title"' in page
    rows = csv_dicts(client.get(f"/dashboard/cohorts.csv?run={world.run.id}&page=3").get_data(as_text=True), LABELS)
    assert {r["cohort"] for r in rows} == {"Sweden pilot", "Norway pilot", "Transnational pilot"}


@pytest.mark.parametrize("asked, shown", [("0", "Norway pilot"), ("-4", "Norway pilot"), ("abc", "Norway pilot"),
                                          ("99", "Transnational pilot"), ("9" * 40, "Norway pilot"),
                                          ("2.5", "Norway pilot")])
def test_any_page_number_gives_a_page(client, world, login, one_per_page, asked, shown):
    login(world.transnational_coordinator)
    response = client.get(f"/dashboard/?page={asked}")
    assert response.status_code == 200
    assert shown in _table(response.get_data(as_text=True), "cohorts-h")


def test_a_run_within_one_page_has_no_pager(client, world, login):
    build_programme(run=world.run, slug="unpaged")
    db.session.commit()
    login(world.transnational_coordinator)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Pages of cohorts" not in page
    assert all(name in _table(page, "cohorts-h") for name in ("Sweden pilot", "Norway pilot", "Transnational pilot"))
